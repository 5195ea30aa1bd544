"""Whom the office may dispatch a ticket to: the people whose skill fits it, with their open load.

A repair (or an emergency) goes to property staff with the ticket's category among their skills;
when nobody has it, to any staff member (the page says so). A complaint about the property goes
to its lead; a dispute to the building's head, the grid's workers or the secretary, who mediate.
The cap is the one check of ``models.workload``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.people import Person, Role
from models.sla import TicketRules
from models.tickets import Ticket, TicketKind, open_count
from models.workers import (
    PROPERTY_LEAD_SKILL,
    building_heads,
    grid_workers,
    property_leads,
    secretaries,
    staff_with_skill,
)
from models.workload import over_cap


@dataclass(frozen=True)
class Choice:
    person: Person
    load: int  # open tickets in their hands
    full: bool  # at the cap: not offered unless the cap is lifted

    @property
    def skills(self) -> str:
        return "、".join(s for s in (self.person.skills or []) if s != PROPERTY_LEAD_SKILL)


@dataclass(frozen=True)
class Choices:
    people: list[Choice]
    note: str = ""  # why the list is wider than the skill, when it is

    def offers(self, person_id: int) -> Choice | None:
        return next((c for c in self.people if c.person.id == person_id), None)


def _all_staff(session: Session) -> list[Person]:
    staff = session.exec(select(Person).where(Person.role == Role.staff).order_by(col(Person.id)))
    return [p for p in staff if PROPERTY_LEAD_SKILL not in (p.skills or []) and not p.erased_at]


def _people(session: Session, ticket: Ticket, besides: int | None) -> tuple[list[Person], str]:
    if ticket.kind == TicketKind.complaint:
        return property_leads(session), ""
    if ticket.kind == TicketKind.dispute:
        mediators = [
            *building_heads(session, building_id=ticket.building_id),
            *grid_workers(session, building_id=ticket.building_id),
            *secretaries(session),
        ]
        return list({p.id: p for p in mediators}.values()), ""
    skilled = staff_with_skill(session, category=ticket.category) if ticket.category else []
    if [p for p in skilled if p.id != besides]:
        return skilled, ""
    what = f"「{ticket.category}」" if ticket.category else "这一类"
    others = "除当前处理人外" if skilled else ""
    return _all_staff(session), f"{others}没有人登记{what}技能，以下是全部维修人员。"


def dispatch_choices(
    session: Session, *, ticket: Ticket, rules: TicketRules, besides: int | None = None
) -> Choices:
    """The people to offer, least loaded first; ``besides``: leave this one out (the current holder)."""
    people, note = _people(session, ticket, besides)
    choices = [
        Choice(
            person=p,
            load=open_count(session, person_id=p.id),  # type: ignore[arg-type]
            full=over_cap(session, person=p, rules=rules) is not None,
        )
        for p in people
        if p.id != besides
    ]
    return Choices(sorted(choices, key=lambda c: (c.full, c.load, c.person.id or 0)), note)
