"""Emergencies: one incident per danger, its ticket, and one alert per responder.

An incident is an emergency ticket. The same reporter telling of the same danger again while it
is open (「着火了」 three times in a row) adds to that incident instead of opening another. The
people alerted are the duty staff and secretaries, and the building head and grid worker of the
building the message names (else the reporter's home) — each once, whatever their roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models.community import Building, room_label
from models.outbox import OutboxMessage, enqueue
from models.people import Person, Role, describe, home_of
from models.routing import open_ticket
from models.sla import TicketRules
from models.tickets import OPEN, Ticket, TicketKind
from models.visit_outcomes import CHECK_CATEGORY
from models.workers import building_heads, grid_workers

SAME_INCIDENT = timedelta(minutes=30)
UNCONFIRMED = "待核实"


@dataclass(frozen=True)
class Incident:
    ticket: Ticket
    alerted: list[Person]
    new: bool  # False when the message added to an incident already open


def building_named(session: Session, number: str | None) -> Building | None:
    if not number:
        return None
    return session.exec(select(Building).where(Building.number == number)).first()


def open_incident(session: Session, *, reporter: Person, now: datetime) -> Ticket | None:
    """The reporter's emergency still open and recent enough to be the same danger, if any."""
    query = (
        select(Ticket)
        .where(
            Ticket.kind == TicketKind.emergency,
            Ticket.reporter_id == reporter.id,
            Ticket.category != CHECK_CATEGORY,  # a visit's urgent check is not the reporter's danger
            col(Ticket.status).in_(OPEN),
            col(Ticket.created_at) >= now - SAME_INCIDENT,
        )
        .order_by(col(Ticket.id).desc())
    )
    return session.exec(query).first()


def responders_for(session: Session, *, reporter: Person, building: Building | None) -> list[Person]:
    """Who is alerted: the building's head and grid worker, duty staff, secretaries; each once."""
    building_id = building.id if building is not None else None
    people = [
        *building_heads(session, building_id=building_id),
        *(grid_workers(session, building_id=building_id) if building_id is not None else []),
        *session.exec(select(Person).where(Person.role == Role.staff).order_by(col(Person.id))),
        *session.exec(select(Person).where(Person.role == Role.secretary).order_by(col(Person.id))),
    ]
    seen: set[int | None] = {reporter.id}
    unique: list[Person] = []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            unique.append(person)
    return unique


def raise_alarm(
    session: Session,
    *,
    rules: TicketRules,
    reporter: Person,
    text: str,
    hazard: str,
    building_number: str | None,
    alert: str,
    now: datetime,
    confirmed: bool = True,
) -> Incident:
    """Open (or add to) the reporter's incident and alert each responder once.

    ``alert`` is the push text with ``{who}``, ``{place}``, ``{text}`` and ``{code}`` to fill.
    An unconfirmed alarm (partial evidence) is filed under the category 待核实.
    """
    existing = open_incident(session, reporter=reporter, now=now)
    if existing is not None:
        existing.description = (existing.description + "\n" + text)[:2000]
        session.add(existing)
        return Incident(ticket=existing, alerted=[], new=False)
    home = home_of(session, reporter)
    named = building_named(session, building_number)
    building = named or (home[0] if home else None)
    if named is not None and (home is None or home[0].id != named.id):
        place = named.label
        room_id = None
    else:
        place = room_label(*home) if home else ""
        room_id = home[1].id if home else None
    ticket = open_ticket(
        session,
        rules=rules,
        kind=TicketKind.emergency,
        reporter=reporter,
        now=now,
        category="紧急" if confirmed else UNCONFIRMED,
        spot=hazard,
        building_id=building.id if building is not None else None,
        room_id=room_id,
        place=place,
        description=text[:500],
    )
    people = responders_for(session, reporter=reporter, building=building)
    push = alert.format(
        who=describe(session, reporter), place=place or "位置未说明", text=text, code=ticket.code
    )
    for person in people:
        enqueue(
            session,
            idempotency_key=f"emergency:{ticket.id}:{person.id}",
            person_id=person.id,
            kind="emergency",
            text=push,
            now=now,
        )
    return Incident(ticket=ticket, alerted=people, new=True)


def _alerted(session: Session, ticket: Ticket) -> list[int]:
    """Who was sent this incident's alert."""
    prefix = f"emergency:{ticket.id}:"
    rows = session.exec(
        select(OutboxMessage.person_id).where(col(OutboxMessage.idempotency_key).startswith(prefix))
    ).all()
    return sorted({p for p in rows if p is not None})


def _tell_alerted(session: Session, ticket: Ticket, *, key: str, text: str, now: datetime) -> None:
    for person_id in _alerted(session, ticket):
        enqueue(
            session,
            idempotency_key=f"{key}:{ticket.id}:{person_id}",
            person_id=person_id,
            kind="emergency",
            # replace, not format: the text carries what residents typed
            text=text.replace("{code}", ticket.code).replace("{place}", ticket.place or "位置未说明"),
            now=now,
        )


def settle_unconfirmed(
    session: Session, *, ticket_id: int, danger: bool, answer: str, text: str, now: datetime
) -> Ticket | None:
    """The reporter answered the safety question of an unconfirmed (待核实) alarm.

    ``danger``: confirmed, it becomes an ordinary emergency; otherwise it is stood down
    (cancelled with the answer as the reason). Everyone alerted is told either way; ``text`` has
    ``{code}``, ``{place}`` and ``{answer}`` to fill. None when the incident is gone or settled.
    """
    from models.feedback import cancel

    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.category != UNCONFIRMED or ticket.status not in OPEN:
        return None
    if danger:
        ticket.category = "紧急"
        ticket.description = (ticket.description + "\n居民确认：" + answer)[:2000]
        session.add(ticket)
    elif not cancel(session, ticket=ticket, actor_id=ticket.reporter_id, now=now, note=answer[:200]).ok:
        return None
    key = "emergency-confirmed" if danger else "emergency-stood-down"
    _tell_alerted(session, ticket, key=key, text=text.replace("{answer}", answer[:60]), now=now)
    return ticket


def add_details(
    session: Session,
    *,
    ticket_id: int,
    text: str,
    phone: str,
    place: str,
    now: datetime,
    key: str = "details",
) -> None:
    """Record the reporter's callback number and/or place, and tell everyone already alerted.

    ``text`` is the push with ``{code}``, ``{phone}`` and ``{place}`` to fill; ``key`` tells one
    addition from another (the number first, the place later), so each reaches everyone once.
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return
    parts = [f"电话 {phone}" if phone else "", f"位置 {place}" if place else ""]
    ticket.description = (ticket.description + "\n" + "，".join(p for p in parts if p))[:2000]
    session.add(ticket)
    push = text.replace("{code}", ticket.code).replace("{phone}", phone).replace("{place}", place)
    _tell_alerted(session, ticket, key=f"emergency-{key}", text=push, now=now)
