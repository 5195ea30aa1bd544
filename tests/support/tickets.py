"""Arrange tickets for console tests through the real service (routing, SLA, pushes), at chosen times."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.community import Building
from models.people import Person, Role
from models.routing import open_ticket
from models.sla import TicketRules
from models.tickets import Ticket, TicketKind


def reporter(engine: Engine, *, name: str, phone: str, now: datetime) -> int:
    """A resident known by name and phone (no WeChat), for searching by either."""
    with Session(engine) as session, session.begin():
        person = Person(name=name, phone=phone, role=Role.resident, created_at=now)
        session.add(person)
        session.flush()
        assert person.id is not None
        return person.id


def file_ticket(
    engine: Engine,
    rules: TicketRules,
    *,
    reporter_id: int,
    at: datetime,
    kind: TicketKind = TicketKind.repair,
    category: str = "其他",
    building: str = "3",
    place: str = "",
    description: str = "需要处理",
) -> Ticket:
    """File a ticket as if reported at ``at``; its time limit runs from then."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        found = session.exec(select(Building).where(Building.number == building)).one()
        who = session.get(Person, reporter_id)
        assert who is not None
        return open_ticket(
            session,
            rules=rules,
            kind=kind,
            reporter=who,
            now=at,
            category=category,
            building_id=found.id,
            place=place or f"{building}栋",
            description=description,
        )


def hours_ago(now: datetime, hours: float) -> datetime:
    return now - timedelta(hours=hours)
