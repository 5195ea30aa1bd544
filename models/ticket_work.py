"""What the office does to a ticket besides dispatch: pause and resume, force-complete, record a 回访.

Each names who acted (a person, or a token's label) on the timeline. Pausing stops the time limit:
no pre-warning or escalation while paused, and resuming moves the deadline on by the paused time.
Force-complete resolves an open ticket with the office's reason and tells the reporter, who may
still rate it or say 「没修好」.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from models.dispatch import KIND_LABEL, Outcome
from models.dispatch import TEXTS as DISPATCH_TEXTS
from models.fanout import push_once
from models.feedback import send_back
from models.people import Person, pushable
from models.sla import TicketRules, after_resolution
from models.tickets import OPEN, Ticket, TicketStatus, record, set_once, transition

ANSWERS = {True: "居民说问题已解决", False: "居民说问题没有解决"}


def pause(
    session: Session, *, ticket: Ticket, reason: str, actor_id: int | None, actor_label: str, now: datetime
) -> Outcome:
    """暂停 an open ticket (waiting for parts, the resident away …); the reason goes on the timeline."""
    if ticket.status not in OPEN:
        return Outcome(False, "wrong_status", ticket)
    if not set_once(session, ticket=ticket, column="paused_at", now=now, updated_at=now):
        return Outcome(False, "paused", ticket)
    record(
        session,
        ticket=ticket,
        action="pause",
        actor_id=actor_id,
        actor_label=actor_label,
        now=now,
        note=reason,
    )
    return Outcome(True, ticket=ticket)


def resume(
    session: Session, *, ticket: Ticket, reason: str, actor_id: int | None, actor_label: str, now: datetime
) -> Outcome:
    """恢复: the deadline (and its pre-warning) move on by as long as the ticket was paused."""
    paused_at = ticket.paused_at
    if paused_at is None:
        return Outcome(False, "not_paused", ticket)
    held = now - paused_at
    values: dict[str, object] = {"paused_at": None, "updated_at": now, "due_at": ticket.due_at + held}
    if ticket.warn_at is not None:
        values["warn_at"] = ticket.warn_at + held
    result = session.execute(
        update(Ticket)
        .where(col(Ticket.id) == ticket.id, col(Ticket.paused_at) == paused_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(ticket)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return Outcome(False, "not_paused", ticket)
    record(
        session,
        ticket=ticket,
        action="resume",
        actor_id=actor_id,
        actor_label=actor_label,
        now=now,
        note=reason,
    )
    return Outcome(True, ticket=ticket)


def force_complete(
    session: Session,
    *,
    ticket: Ticket,
    reason: str,
    rules: TicketRules,
    actor_id: int | None,
    actor_label: str,
    now: datetime,
) -> Outcome:
    """强制完成 an open ticket with the office's reason; the reporter is told and asked to rate."""
    won = transition(
        session,
        ticket=ticket,
        action="force_complete",
        to=TicketStatus.resolved,
        expected=OPEN,
        actor_id=actor_id,
        actor_label=actor_label,
        now=now,
        note=reason,
        resolved_at=now,
        resolved_by_id=actor_id or ticket.assignee_id,
        resolution=reason,
        paused_at=None,
        accepted_at=ticket.accepted_at or now,
        **after_resolution(rules, now=now),
    )
    if not won:
        return Outcome(False, "wrong_status", ticket)
    facts = {"kind": KIND_LABEL[ticket.kind], "code": ticket.code, "note": reason}
    text = DISPATCH_TEXTS["to_reporter_resolved"].format(**facts)
    if pushable(session.get(Person, ticket.reporter_id)):
        key = f"ticket:{ticket.id}:force-complete:{now.isoformat()}"
        push_once(
            session, idempotency_key=key, person_id=ticket.reporter_id, kind="ticket", text=text, now=now
        )
    return Outcome(True, ticket=ticket)


def record_callback(
    session: Session,
    *,
    ticket: Ticket,
    fixed: bool,
    note: str,
    actor_id: int | None,
    actor_label: str,
    rules: TicketRules,
    now: datetime,
) -> Outcome:
    """回访 by phone or in person: the resident's own answer counts for 解决率 as theirs in chat does.

    「没解决」 also sends the ticket back to its handler, as the resident's 「没修好」 in chat does."""
    if ticket.status not in (TicketStatus.resolved, TicketStatus.closed):
        return Outcome(False, "wrong_status", ticket)
    session.execute(
        update(Ticket)
        .where(col(Ticket.id) == ticket.id)
        .values(resident_fixed=fixed, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(ticket)
    said = ANSWERS[fixed] + (f"：{note.strip()}" if note.strip() else "")
    record(
        session,
        ticket=ticket,
        action="callback",
        actor_id=actor_id,
        actor_label=actor_label,
        now=now,
        note=said,
    )
    if not fixed:
        back = note.strip() or "回访时居民说没有解决"
        send_back(
            session,
            ticket=ticket,
            actor_id=actor_id,
            actor_label=actor_label,
            note=back,
            rules=rules,
            now=now,
        )
    return Outcome(True, ticket=ticket)
