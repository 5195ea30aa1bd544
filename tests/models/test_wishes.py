"""微心愿 as a state machine: review, publication to the 责任区, one claim of many, fulfil, confirm."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from bot.clock import ManualClock
from bot.db import write_gate
from models.community import Building
from models.outbox import OutboxMessage
from models.party import DutyArea, PartyMember, PartyOrg
from models.people import Person, Role, person_by_openid
from models.points import PointEntry, balance
from models.wishes import WishStatus, approve, claim, confirm, decline, fulfil, not_yet, submit

ELDER = "demo-elder-liu"  # 刘桂芳, 3栋1单元302


def _pushed_to(session: Session, person_id: int | None) -> list[str]:
    query = select(OutboxMessage.text).where(
        OutboxMessage.person_id == person_id, OutboxMessage.kind == "wish"
    )
    return list(session.exec(query.order_by(col(OutboxMessage.id))))


def _person(session: Session, openid: str) -> Person:
    person = person_by_openid(session, openid)
    assert person is not None
    return person


def add_members(engine: Engine, clock: ManualClock, count: int, *, building: str = "3") -> list[int]:
    """``count`` party members whose 责任区 is ``building``; their person ids."""
    with Session(engine) as session, session.begin():
        org = session.exec(select(PartyOrg).where(PartyOrg.name == "3栋党小组")).one()
        number = session.exec(select(Building.id).where(Building.number == building)).one()
        ids = []
        for n in range(count):
            person = Person(openid=f"member-{n}", name=f"党员{n}", role=Role.resident, created_at=clock.now())
            session.add(person)
            session.flush()
            member = PartyMember(person_id=person.id, org_id=org.id, created_at=clock.now())  # type: ignore[arg-type]
            session.add(member)
            session.flush()
            session.add(DutyArea(member_id=member.id, building_id=number))  # type: ignore[arg-type]
            ids.append(person.id)
        return ids  # type: ignore[return-value]


def test_a_wish_is_reviewed_then_reaches_the_members_of_the_elder_s_area_only(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    now = clock.now()
    with Session(engine) as session, session.begin():
        elder = _person(session, ELDER)
        wish = submit(session, resident=elder, text="想请人帮我换一下厨房的灯泡", now=now)
        assert wish.status == WishStatus.pending and wish.unit == "1"
        secretary = _person(session, "demo-secretary-zhou")
        assert any(f"通过心愿 {wish.code}" in t for t in _pushed_to(session, secretary.id))
        outcome = approve(session, wish=wish, by="周书记", now=now)
        assert outcome.ok and wish.status == WishStatus.published
        again = approve(session, wish=wish, by="周书记", now=now)
        assert not again.ok and again.reason == "wrong_status"
        told = {
            p.name
            for p in session.exec(select(Person))
            if any(wish.code in t for t in _pushed_to(session, p.id))
        }
        # 陈红梅 (3-1), 高建华 (3) and 黄志明 (3, 5) cover 3栋1单元; 钱卫东 (1, 2栋) does not.
        assert {"陈红梅", "高建华", "黄志明"} <= told and "钱卫东" not in told and "马国庆" not in told
        assert outcome.reached == 3
        assert any("已经发布" in t for t in _pushed_to(session, elder.id))


def test_a_declined_wish_tells_the_resident_why(engine: Engine, demo: None, clock: ManualClock) -> None:
    with Session(engine) as session, session.begin():
        elder = _person(session, ELDER)
        wish = submit(session, resident=elder, text="想要一台新电视", now=clock.now())
        outcome = decline(session, wish=wish, by="周书记", reason="超出微心愿的范围。", now=clock.now())
        assert outcome.ok and wish.status == WishStatus.declined
        assert "没能发布：超出微心愿的范围。" in _pushed_to(session, elder.id)[-1]
        assert not claim(session, wish=wish, person=_person(session, "demo-party-gao"), now=clock.now()).ok


def test_only_a_member_of_the_area_may_claim(engine: Engine, demo: None, clock: ManualClock) -> None:
    with Session(engine) as session, session.begin():
        wish = submit(session, resident=_person(session, ELDER), text="帮忙读读报纸", now=clock.now())
        approve(session, wish=wish, by="周书记", now=clock.now())
        assert claim(
            session, wish=wish, person=_person(session, "demo-resident-zhang"), now=clock.now()
        ).reason == ("not_member")
        assert claim(
            session, wish=wish, person=_person(session, "demo-party-qian"), now=clock.now()
        ).reason == ("not_area")
        assert claim(session, wish=wish, person=_person(session, "demo-party-gao"), now=clock.now()).ok


def test_ten_members_claim_at_once_and_exactly_one_wins(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    members = add_members(engine, clock, 10)
    with Session(engine) as session, session.begin():
        wish = submit(session, resident=_person(session, ELDER), text="想请人陪我去医院复查", now=clock.now())
        approve(session, wish=wish, by="周书记", now=clock.now())
        wish_id = wish.id
    barrier = threading.Barrier(len(members))

    def one(person_id: int) -> tuple[bool, str, str]:
        barrier.wait()
        with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
            from models.wishes import Wish

            found = session.get(Wish, wish_id)
            person = session.get(Person, person_id)
            assert found is not None and person is not None
            outcome = claim(session, wish=found, person=person, now=clock.now())
            return outcome.ok, outcome.reason, outcome.holder

    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        results = list(pool.map(one, members))
    winners = [r for r in results if r[0]]
    assert len(winners) == 1
    with Session(engine) as session:
        from models.wishes import Wish

        wish = session.get(Wish, wish_id)
        assert wish is not None and wish.status == WishStatus.claimed
        holder = session.get(Person, wish.claimant_id)
        assert holder is not None
    assert sorted(r[1:] for r in results if not r[0]) == [("taken", holder.name)] * 9


def test_fulfil_confirm_credits_the_member_once_and_not_yet_sends_it_back(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    now = clock.now()
    with Session(engine) as session, session.begin():
        elder, gao = _person(session, ELDER), _person(session, "demo-party-gao")
        huang = _person(session, "demo-party-huang")
        wish = submit(session, resident=elder, text="想请人帮我把冬衣搬到阁楼", now=now)
        approve(session, wish=wish, by="周书记", now=now)
        assert claim(session, wish=wish, person=gao, now=now).ok
        assert claim(session, wish=wish, person=huang, now=now).holder == "高建华"
        assert fulfil(session, wish=wish, person=huang, note="", now=now).reason == "taken"
        assert fulfil(session, wish=wish, person=gao, note="已经搬好了", now=now).ok
        assert "已经完成了：已经搬好了。" in _pushed_to(session, elder.id)[-1]
        assert not_yet(session, wish=wish, resident=elder, note="还有一箱没搬", now=now).ok
        assert wish.status == WishStatus.claimed and "还有一箱没搬" in _pushed_to(session, gao.id)[-1]
        assert fulfil(session, wish=wish, person=gao, note="都搬完了", now=now).ok
        assert confirm(session, wish=wish, resident=elder, points=5, now=now).ok
        assert not confirm(session, wish=wish, resident=elder, points=5, now=now).ok
        assert balance(session, person_id=gao.id) == 5  # type: ignore[arg-type]
        entries = session.exec(
            select(func.count()).select_from(PointEntry).where(PointEntry.source_ref == f"wish:{wish.id}")
        ).one()
        assert entries == 1 and wish.status == WishStatus.confirmed
        assert "记 5 积分" in _pushed_to(session, gao.id)[-1]
