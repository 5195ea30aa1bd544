"""派单 by hand: what awaits a grid worker's (or the secretary's) dispatch, and dispatching it.

A grid worker dispatches the unassigned work of their grid's buildings; a secretary or admin
any. A dispatch respects the per-worker cap (``models.workload``) unless it carries a
reason, which goes on the ticket's timeline. Work already with someone is transferred (转单).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, select

from models.dispatch import Outcome, dispatch, transfer
from models.people import Person, Role
from models.sla import TicketRules
from models.tickets import WORKING, Ticket, TicketKind, TicketStatus
from models.workers import grid_workers, is_worker

DISPATCHERS = (Role.grid_worker, Role.secretary, Role.admin, Role.building_head)
UNASSIGNED = (TicketStatus.submitted, TicketStatus.reopened)
_OVER = re.compile(r"\s*(超量|超限|超额|超上限)\s*[:：，,]?\s*")


def dispatches_for(session: Session, *, person: Person, ticket: Ticket) -> bool:
    """Whether ``person`` may dispatch ``ticket``: a grid worker in their grid, a head in their building."""
    if person.role in (Role.secretary, Role.admin):
        return True
    if person.role == Role.building_head:
        return ticket.building_id is not None and ticket.building_id == person.building_id
    if person.role == Role.grid_worker:
        return any(p.id == person.id for p in grid_workers(session, building_id=ticket.building_id))
    return False


def awaiting_dispatch(session: Session, *, person: Person) -> list[Ticket]:
    """Unassigned open work (emergencies aside: everyone on duty was alerted) this person dispatches."""
    if person.role not in (Role.grid_worker, Role.secretary, Role.admin):
        return []
    query = select(Ticket).where(
        col(Ticket.status).in_(UNASSIGNED),
        col(Ticket.assignee_id).is_(None),
        Ticket.kind != TicketKind.emergency,
    )
    tickets = session.exec(query.order_by(col(Ticket.due_at))).all()
    return [t for t in tickets if dispatches_for(session, person=person, ticket=t)]


def split_override(rest: str) -> tuple[str, str | None]:
    """「王师傅 超量 其他师傅休假」 → (王师傅, 其他师傅休假); ("王师傅", None) without 超量,
    ("王师傅", "") with 超量 and no reason."""
    parts = _OVER.split(rest, maxsplit=1)
    if len(parts) == 1:
        return rest.strip(" ，,。"), None
    return parts[0].strip(" ，,。"), parts[2].strip(" ，,。")


def dispatch_by_hand(
    session: Session,
    *,
    ticket: Ticket,
    actor: Person,
    target: Person,
    rules: TicketRules,
    now: datetime,
    override: str = "",
) -> Outcome:
    """派单 R… 王师傅 (超量 原因): to ``target``, within the cap unless ``override`` gives a reason.

    Reasons: not_allowed, not_worker, cap, already_theirs, wrong_status.
    """
    if actor.role not in DISPATCHERS or not dispatches_for(session, person=actor, ticket=ticket):
        return Outcome(False, "not_allowed", ticket)
    if not is_worker(target):
        return Outcome(False, "not_worker", ticket)
    if ticket.assignee_id == target.id and ticket.status in WORKING:
        return Outcome(False, "already_theirs", ticket)
    if ticket.status in UNASSIGNED and ticket.assignee_id is None:
        return dispatch(
            session, ticket=ticket, person=target, actor_id=actor.id, now=now, rules=rules, override=override
        )
    if ticket.status in (*WORKING, TicketStatus.submitted):
        return transfer(
            session, ticket=ticket, actor=actor, target=target, rules=rules, now=now, override=override
        )
    return Outcome(False, "wrong_status", ticket)
