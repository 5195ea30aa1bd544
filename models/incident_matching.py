"""Which open incident a report of danger belongs to, if any.

An incident is one hazard at one place. The reporter's own words with no new hazard (「我在家 快来人」)
belong to their latest incident; someone else's report joins an incident only when it names the same
hazard kind in the same building, and the unit or flat it names (if any) is the incident's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models.community import Building, Room
from models.people import Person
from models.tickets import OPEN, Ticket, TicketKind
from models.visit_outcomes import CHECK_CATEGORY

SAME_INCIDENT = timedelta(minutes=30)
UNCONFIRMED = "待核实"
ANY_HAZARD = "help"  # a call for help names no hazard: it is the same as whatever the reporter had
# Kinds the reporter's own next words may tell of one situation in: after 「我妈摔到了起不来」,
# 「已经打了120」 (medical) is the same fall; after 「插座冒火花」, 「墙里面着火了」 the same fire.
_ONE_SITUATION = ({"fall", "medical", "welfare"}, {"fire", "electric"})


def building_named(session: Session, number: str | None) -> Building | None:
    if not number:
        return None
    return session.exec(select(Building).where(Building.number == number)).first()


def open_incident(
    session: Session,
    *,
    reporter: Person,
    hazard: str,
    named: Building | None,
    building: Building | None,
    now: datetime,
    unit: str | None = None,
    room: str | None = None,
) -> Ticket | None:
    """The open incident this report belongs to: the same hazard at the same place, recently.

    The reporter's own incident of that hazard (a call for help, or one still unconfirmed, matches
    any) at the building named, or anywhere when no building is named (「火越来越大了」); words
    with no hazard add to the reporter's latest incident (they say where, or how it goes);
    another reporter's only when the same hazard kind is named (a bare call for help names none)
    in the same building, and the unit or flat named (``unit``, ``room``), if any, is the incident's.
    """
    query = (
        select(Ticket)
        .where(
            Ticket.kind == TicketKind.emergency,
            Ticket.category != CHECK_CATEGORY,  # a visit's urgent check is not the reporter's danger
            col(Ticket.status).in_(OPEN),
            col(Ticket.created_at) >= now - SAME_INCIDENT,
        )
        .order_by(col(Ticket.id).desc())
    )
    building_id = building.id if building is not None else None
    for ticket in session.exec(query):
        if ticket.reporter_id == reporter.id:
            if not hazard:  # no word of danger (「在五栋门口的花坛边上」): more about the same
                return ticket
            loose = ticket.spot == ANY_HAZARD or ticket.category == UNCONFIRMED or hazard == ANY_HAZARD
            if (loose or _one_situation(ticket.spot, hazard)) and (
                named is None or ticket.building_id == named.id
            ):
                return ticket  # 「我在家 快来人」 after 「厨房着火了」: the same fire, called again
        elif (
            hazard not in ("", ANY_HAZARD)  # a bare call for help is no evidence of the same danger
            and ticket.spot == hazard
            and building_id is not None
            and ticket.building_id == building_id
            and _same_place(session, ticket, unit=unit, room=room)
        ):
            return ticket
    return None


def _one_situation(kind: str | None, hazard: str) -> bool:
    return kind == hazard or any(kind in family and hazard in family for family in _ONE_SITUATION)


def flat_named(
    session: Session, named: Building | None, *, unit: str | None, room: str | None
) -> Room | None:
    """The flat a message names in the building it names, if the community has it."""
    if named is None or not room:
        return None
    query = select(Room).where(Room.building_id == named.id, Room.room == room)
    return session.exec(query.where(Room.unit == unit) if unit else query).first()


def _same_place(session: Session, ticket: Ticket, *, unit: str | None, room: str | None) -> bool:
    """Whether a unit or flat the message names can be the incident's (nothing named: it can)."""
    flat = session.get(Room, ticket.room_id) if ticket.room_id is not None else None
    if flat is None:
        return True
    return (not unit or not flat.unit or unit == flat.unit) and (not room or room == flat.room)


def latest_own(session: Session, *, reporter: Person, now: datetime) -> Ticket | None:
    """The reporter's own emergency opened within the incident window and still open, if any."""
    query = (
        select(Ticket)
        .where(
            Ticket.kind == TicketKind.emergency,
            Ticket.reporter_id == reporter.id,
            Ticket.category != CHECK_CATEGORY,
            col(Ticket.status).in_(OPEN),
            col(Ticket.created_at) >= now - SAME_INCIDENT,
        )
        .order_by(col(Ticket.id).desc())
    )
    return session.exec(query).first()
