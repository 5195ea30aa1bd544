"""Filing a ticket and routing it: who is told and who gets it first (the building head hears of
repairs; disputes go to a mediator; complaints to the property lead with a copy to the community;
assign mode picks the skilled worker with the fewest open orders under the cap, grab mode tells
the pool, and with nobody the grid worker is asked to 派单). 退单 routes it again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.dispatch import TEXTS, Outcome, dispatch, push, ticket_facts
from models.people import Person, Role, describe
from models.sla import TicketRules, deadlines, limit_hours
from models.tickets import Ticket, TicketKind, TicketStatus, create_ticket, open_counts, record, transition
from models.workers import (
    PROPERTY_LEAD_SKILL,
    building_heads,
    complaint_overseers,
    grid_workers,
    property_leads,
    secretaries,
    staff_with_skill,
)


def open_ticket(
    session: Session,
    *,
    rules: TicketRules,
    kind: TicketKind,
    reporter: Person,
    now: datetime,
    intake: tuple[int | None, str, str] | None = None,
    **fields: Any,
) -> Ticket:
    """File a ticket with its time limit and route it (pushes in the same transaction); ``intake``:
    (person id, label, how) of whoever logged it for the reporter (电话报修), on the timeline first."""
    hours = limit_hours(rules, kind=kind, category=fields.get("category", ""))
    timing = deadlines(rules, hours=hours, start=now)
    mode = (
        "grab"
        if kind == TicketKind.emergency
        else rules.dispatch_modes.get(fields.get("category", ""), rules.default_mode)
    )
    ticket = create_ticket(
        session,
        kind=kind,
        reporter_id=reporter.id,
        now=now,
        mode=mode,
        **timing,
        **fields,  # type: ignore[arg-type]
    )
    if intake is not None:
        by_id, by_label, how = intake
        record(
            session, ticket=ticket, action="intake", actor_id=by_id, actor_label=by_label, now=now, note=how
        )
    route(session, ticket=ticket, reporter=reporter, rules=rules, now=now)
    return ticket


def route(session: Session, *, ticket: Ticket, reporter: Person, rules: TicketRules, now: datetime) -> None:
    facts = ticket_facts(ticket)
    who = "报告人：" + describe(session, reporter) + "。"
    if ticket.kind == TicketKind.emergency:
        return  # models.emergencies alerts everyone on duty once; the first to 接单 takes it
    if ticket.kind == TicketKind.repair:
        for head in building_heads(session, building_id=ticket.building_id):
            text = TEXTS["new_for_head"].format(**facts, who=who)
            push(session, f"ticket:{ticket.id}:new:{head.id}", head.id, text, now)
    if ticket.kind == TicketKind.dispute:
        mediators = (
            building_heads(session, building_id=ticket.building_id)
            or grid_workers(session, building_id=ticket.building_id)
            or secretaries(session)
        )
        if mediators:
            dispatch(session, ticket=ticket, person=mediators[0], actor_id=None, now=now)
        return
    if ticket.kind == TicketKind.complaint:
        leads = property_leads(session)
        if leads:
            dispatch(session, ticket=ticket, person=leads[0], actor_id=None, now=now)
        lead = leads[0].name if leads else ""
        for person in complaint_overseers(
            session, building_id=ticket.building_id
        ):  # 红色物业: the community oversees
            text = TEXTS["complaint_copy"].format(**facts, who=who, lead=lead)
            push(session, f"ticket:{ticket.id}:oversee:{person.id}", person.id, text, now)
        return
    auto_route(session, ticket=ticket, rules=rules, now=now)


def auto_route(
    session: Session, *, ticket: Ticket, rules: TicketRules, now: datetime, exclude: int | None = None
) -> None:
    """Assign mode: the skilled staff member with the fewest open orders under the cap; grab mode: the pool."""
    facts = ticket_facts(ticket)
    skilled = [p for p in staff_with_skill(session, category=ticket.category) if p.id != exclude]
    if ticket.mode == "grab":
        for person in skilled:
            push(
                session, f"ticket:{ticket.id}:pool:{person.id}", person.id, TEXTS["pool"].format(**facts), now
            )
        if skilled:
            return
    else:
        counts = open_counts(session, [p.id for p in skilled])  # type: ignore[misc]
        loads = [(counts[p.id], p.id, p) for p in skilled]  # type: ignore[index]
        free = sorted(item for item in loads if item[0] < rules.max_open_per_worker)
        if free:
            dispatch(session, ticket=ticket, person=free[0][2], actor_id=None, now=now)
            return
    suggested = suggested_worker(session, ticket=ticket, rules=rules)
    text = TEXTS["nobody"].format(**facts, name=suggested.name if suggested else "王师傅")
    for person in grid_workers(session, building_id=ticket.building_id) or secretaries(session):
        push(session, f"ticket:{ticket.id}:nobody:{person.id}", person.id, text, now)


def suggested_worker(session: Session, *, ticket: Ticket, rules: TicketRules | None = None) -> Person | None:
    """Who to name in 「派单 R… 王师傅」: the least loaded skilled staff member, else any staff
    member; with ``rules``, someone under the per-worker cap where there is one."""
    staff = staff_with_skill(session, category=ticket.category) or [
        p
        for p in session.exec(select(Person).where(Person.role == Role.staff).order_by(col(Person.id)))
        if PROPERTY_LEAD_SKILL not in (p.skills or [])
    ]
    counts = open_counts(session, [p.id for p in staff])  # type: ignore[misc]
    loads = sorted((counts[p.id], p.id, p) for p in staff)  # type: ignore[index]
    if rules is not None:
        loads = [item for item in loads if item[0] < rules.max_open_per_worker] or loads
    return loads[0][2] if loads else None


def _office(session: Session, *, ticket: Ticket) -> list[Person]:
    """Who re-dispatches returned work: the building head and grid worker, else the secretary."""
    people = {
        p.id: p
        for p in (
            *building_heads(session, building_id=ticket.building_id),
            *grid_workers(session, building_id=ticket.building_id),
        )
    }
    return list(people.values()) or secretaries(session)


def return_ticket(
    session: Session, *, ticket: Ticket, actor: Person, reason: str, rules: TicketRules, now: datetime
) -> Outcome:
    """退单: the assignee gives it back with a reason; assign mode tries the next skilled worker."""
    if ticket.assignee_id != actor.id:
        return Outcome(False, "not_yours", ticket)
    won = transition(
        session,
        ticket=ticket,
        action="return",
        to=TicketStatus.submitted,
        expected=(
            TicketStatus.dispatched,
            TicketStatus.accepted,
            TicketStatus.in_progress,
            TicketStatus.reopened,
        ),
        actor_id=actor.id,
        now=now,
        note=reason,
        assignee_is=actor.id,
        assignee_id=None,
    )
    if not won:
        return Outcome(False, "wrong_status", ticket)
    facts = ticket_facts(ticket)
    text = TEXTS["returned"].format(**facts, handler=actor.name, reason=reason or "未说明")
    stamp = ticket.updated_at.isoformat()
    for person in _office(session, ticket=ticket):
        push(session, f"ticket:{ticket.id}:returned:{stamp}:{person.id}", person.id, text, now)
    told = TEXTS["to_reporter_returned"].format(**facts)
    push(session, f"ticket:{ticket.id}:returned:{stamp}:reporter", ticket.reporter_id, told, now)
    if ticket.kind == TicketKind.repair:
        auto_route(session, ticket=ticket, rules=rules, now=now, exclude=actor.id)
    return Outcome(True, ticket=ticket)
