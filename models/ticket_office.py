"""What the office does to a ticket from the API or the console: close or cancel, open work by age."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.dispatch import Outcome
from models.feedback import cancel
from models.tickets import OPEN, Ticket, TicketStatus, transition

AGE_BANDS = ((1, "1天内"), (3, "1-3天"), (7, "3-7天"), (None, "7天以上"))


def close_or_cancel(
    session: Session,
    *,
    ticket: Ticket,
    actor_id: int | None,
    now: datetime,
    note: str = "",
    actor_label: str = "",
) -> Outcome:
    """Close a resolved ticket, or cancel one still open (the note is the reason)."""
    if ticket.status == TicketStatus.resolved:
        ok = transition(
            session,
            ticket=ticket,
            action="close",
            to=TicketStatus.closed,
            expected=(TicketStatus.resolved,),
            actor_id=actor_id,
            actor_label=actor_label,
            now=now,
            note=note,
            closed_at=now,
        )
        return Outcome(ok, "" if ok else "wrong_status", ticket)
    return cancel(session, ticket=ticket, actor_id=actor_id, now=now, note=note, actor_label=actor_label)


def open_tickets(session: Session, *, building_ids: frozenset[int] | None = None) -> list[Ticket]:
    query = select(Ticket).where(col(Ticket.status).in_(OPEN)).order_by(col(Ticket.created_at))
    return [t for t in session.exec(query) if building_ids is None or t.building_id in building_ids]


def open_by_age(tickets: list[Ticket], *, now: datetime) -> list[tuple[str, int]]:
    """Open tickets counted by how long they have waited."""
    counts = {label: 0 for _, label in AGE_BANDS}
    for ticket in tickets:
        days = (now - ticket.created_at).total_seconds() / 86400
        label = next(label for limit, label in AGE_BANDS if limit is None or days < limit)
        counts[label] += 1
    return list(counts.items())
