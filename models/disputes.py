"""Disputes (纠纷调解): the mediation record, the agreement (调解协议) and the outcome.

The other party is only a place (「楼上 8栋1203」); nothing about the reporter ever goes to them.
Once concluded, both parties are asked whether it was settled (``models.mediation``).
Settled level: building (building head), community (grid worker, property, secretary), street
(referred to a department).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from models.dispatch import Outcome, resolve
from models.mediation import ask_parties
from models.outbox import enqueue
from models.people import Person, Role
from models.sla import TicketRules
from models.tickets import OUTCOMES, WORKING, Ticket, TicketStatus, clip, record, transition

TEXTS = {
    "concluded": "您反映的{code}（{matter}）调解结果：{outcome}。{detail}",
    "agreement": "调解协议：{agreement}",
    "referred": "已转交{department}处理。",
}


def add_note(session: Session, *, ticket: Ticket, actor: Person, text: str, now: datetime) -> Outcome:
    if ticket.status not in WORKING:
        return Outcome(False, "wrong_status", ticket)
    entry = {"at": now.isoformat(), "by": actor.name, "text": text[:500]}
    ticket.mediation_record = [*ticket.mediation_record, entry]
    session.add(ticket)
    record(session, ticket=ticket, action="mediation_note", actor_id=actor.id, now=now, note=text)
    return Outcome(True, ticket=ticket)


def set_agreement(session: Session, *, ticket: Ticket, actor: Person, text: str, now: datetime) -> Outcome:
    if ticket.status not in WORKING:
        return Outcome(False, "wrong_status", ticket)
    ticket.agreement = text[:2000]
    session.add(ticket)
    record(session, ticket=ticket, action="agreement", actor_id=actor.id, now=now, note=text)
    return Outcome(True, ticket=ticket)


def settled_level(actor: Person | None, outcome: str) -> str:
    if outcome == "referred":
        return "street"
    if actor is not None and actor.role == Role.building_head:
        return "building"
    return "community"


def conclude(
    session: Session,
    *,
    ticket: Ticket,
    actor: Person | None,
    outcome: str,
    rules: TicketRules,
    now: datetime,
    department: str = "",
    note: str = "",
    actor_label: str = "",
) -> Outcome:
    """结案: 已化解 / 未化解 / 转交职能部门 (which department); the reporter is told, never the other party."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}")
    result = resolve(
        session,
        ticket=ticket,
        actor=actor,
        note=note or OUTCOMES[outcome],
        rules=rules,
        now=now,
        outcome=outcome,
        department=department,
        settled_level=settled_level(actor, outcome),
        actor_label=actor_label,
    )
    if not result.ok:
        return result
    detail = TEXTS["referred"].format(department=department) if outcome == "referred" and department else ""
    if ticket.agreement:
        detail += TEXTS["agreement"].format(agreement=ticket.agreement)
    text = TEXTS["concluded"].format(
        code=ticket.code, matter=clip(ticket.description, 20), outcome=OUTCOMES[outcome], detail=detail
    )
    text += "\n" + ask_parties(session, ticket=ticket, now=now)  # both sides: 化解了吗
    enqueue(
        session,
        idempotency_key=f"ticket:{ticket.id}:concluded:{now.isoformat()}",
        person_id=ticket.reporter_id,
        kind="ticket",
        text=text,
        now=now,
    )
    # A concluded dispute needs no rating round: it closes at once.
    transition(
        session,
        ticket=ticket,
        action="close",
        to=TicketStatus.closed,
        expected=(TicketStatus.resolved,),
        actor_id=actor.id if actor else None,
        actor_label=actor_label,
        now=now,
        closed_at=now,
    )
    return Outcome(True, ticket=ticket)
