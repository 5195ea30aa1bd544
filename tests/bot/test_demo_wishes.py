"""The demo history shows 微心愿 in every state, made by the real services, with the points they earned;
and one 三级议事 topic carried through to its 整改清单 item done, both raisers told."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.demo import seed_demo
from bot.settings import Settings
from models.outbox import OutboxMessage, OutboxStatus
from models.people import Person
from models.points import PointEntry
from models.topics import Tier, Topic, TopicStatus, raisers
from models.wishes import Wish, WishStatus


def test_the_demo_has_a_wish_in_each_state_and_the_confirmed_ones_earned_points(
    demo: None, engine: Engine, clock: ManualClock, settings: Settings
) -> None:
    with Session(engine) as session, session.begin():
        seed_demo(session, now=clock.now(), rules=settings.tickets)
    with Session(engine) as session:
        found = {w.status for w in session.exec(select(Wish))}
        assert found == set(WishStatus)
        earned = {
            session.get(Person, e.person_id).name: e.amount  # type: ignore[union-attr]
            for e in session.exec(select(PointEntry).where(PointEntry.source_ref.startswith("wish:")))  # type: ignore[attr-defined]
        }
        assert earned == {"黄志明": 5, "高建华": 5}
        waiting = session.exec(select(Wish).where(Wish.status == WishStatus.published)).one()
        told = session.exec(
            select(OutboxMessage).where(OutboxMessage.text.contains(f"认领心愿 {waiting.code}"))  # type: ignore[attr-defined]
        ).all()
        assert len(told) == 3 and all(m.status == OutboxStatus.sent for m in told)  # the past is delivered
        topic = session.exec(select(Topic)).one()  # 三级议事: raised, sent up, decided, its item done
        assert (topic.tier, topic.status) == (Tier.property, TopicStatus.done)
        assert [p.name for p in raisers(session, topic)] == ["赵敏", "李建国"]
        closed = session.exec(
            select(OutboxMessage).where(OutboxMessage.text.contains("两盏路灯装好了"))
        ).all()  # type: ignore[attr-defined]
        assert len(closed) == 2
