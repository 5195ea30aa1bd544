"""The per-worker cap (``max_open_per_worker``), checked in one place for every hand that gives
someone work: 派单 and 转单 in chat, the API and the console, and a worker's own 接单 / 抢单.
Going past it needs a reason, which goes on the ticket's timeline."""

from __future__ import annotations

from sqlmodel import Session

from models.people import Person
from models.sla import TicketRules
from models.tickets import Ticket, open_count

OVER_CAP_NOTE = {
    "dispatch": "超量派单：{reason}",
    "transfer": "超量转单：{reason}",
    "grab": "超量接单：{reason}",
}


def over_cap(session: Session, *, person: Person, rules: TicketRules) -> int | None:
    """The person's open work when it is at the cap, else None."""
    count = open_count(session, person_id=person.id)  # type: ignore[arg-type]
    return count if count >= rules.max_open_per_worker else None


def within_cap(
    session: Session, *, ticket: Ticket, target: Person, rules: TicketRules, override: str = ""
) -> bool:
    """Whether ``target`` may be given ``ticket``: it is already theirs (counted), they are under
    the cap, or ``override`` says why they must take it anyway."""
    if ticket.assignee_id == target.id or override.strip():
        return True
    return over_cap(session, person=target, rules=rules) is None


def over_cap_note(action: str, override: str) -> str:
    """The timeline's words for going past the cap ("" within it)."""
    return OVER_CAP_NOTE[action].format(reason=override.strip()) if override.strip() else ""
