"""What the visit, residency, mediation and office tests each used to set up by hand: a resident
living in a flat (verified or only claimed) and their claim's code, a repair reported in chat, a
scheduler job run on the test clock, who is who, and what was pushed to someone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from bot.clock import ManualClock
from bot.db import write_gate
from models.community import find_room
from models.outbox import OutboxMessage
from models.people import Person, person_by_openid
from models.residency import Relationship, Residency, claim, record_verified
from tests.support.wechat import WeChatSim


def run_job(engine: Engine, job: Callable[..., int], clock: ManualClock) -> int:
    """A scheduler job, once, in its own transaction, at the test clock's time."""
    with write_gate(engine), Session(engine) as session, session.begin():
        return job(session, now=clock.now())


def person_named(session: Session, name: str) -> Person:
    """The person of that name, as committed now."""
    session.rollback()
    return session.exec(select(Person).where(Person.name == name)).one()


def person_of(session: Session, openid: str) -> Person:
    """The person behind a WeChat openid, as committed now."""
    session.rollback()
    person = person_by_openid(session, openid)
    assert person is not None, openid
    return person


def pushes_to(session: Session, who: str, kind: str | None = None) -> list[str]:
    """What was queued for the person of that name (or openid), oldest first (of one kind, if given)."""
    session.rollback()
    person = session.exec(select(Person).where(or_(col(Person.name) == who, col(Person.openid) == who))).one()
    query = select(OutboxMessage.text).where(OutboxMessage.person_id == person.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.exec(query.order_by(col(OutboxMessage.id))))


def claim_code(session: Session, openid: str) -> str:
    """The code (B12) of the one claim the person behind ``openid`` made."""
    person = person_of(session, openid)
    return session.exec(select(Residency).where(Residency.person_id == person.id)).one().code


def report_repair(wechat: WeChatSim, text: str, openid: str = "demo-resident-wang") -> str:
    """A resident reports a repair in chat and confirms it; the reply that filed it."""
    wechat.send(openid, text)
    reply = wechat.send(openid, "是")
    assert "已登记报修单" in reply, reply
    return reply


def resident_in(
    engine: Engine,
    openid: str,
    flat: str,
    *,
    now: datetime,
    verified: bool = True,
    relationship: Relationship = Relationship.owner,
    name: str = "",
) -> Residency:
    """A resident of ``flat`` ("3-2-602": building, unit, room), verified by the office or only
    claimed (waiting for the building head), created if the openid is new."""
    building, unit, room = flat.split("-")
    with Session(engine) as session, session.begin():
        found = find_room(session, building=building, unit=unit, room=room)
        assert found is not None, flat
        person = person_by_openid(session, openid)
        if person is None:
            person = Person(openid=openid, name=name, created_at=now)
            session.add(person)
            session.flush()
        room_id = found[1].id
        assert room_id is not None
        if verified:
            residency = record_verified(
                session,
                person=person,
                room_id=room_id,
                relationship=relationship,
                via="import",
                by="测试导入",
                tag="import",
                now=now,
            )
        else:
            residency = claim(session, person=person, room_id=room_id, relationship=relationship, now=now)
        session.flush()
        session.expunge(residency)
        return residency
