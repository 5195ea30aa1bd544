"""A person's own data, part two: the tickets they reported (timeline, rating) and their answers
to 「化解了吗」 after a mediation, whichever side they were on. Staff appear by role only."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models.dispatch import KIND_LABEL
from models.mediation import MediationAnswer
from models.people import Person
from models.personal_home import iso
from models.ticket_actions import ACTIONS
from models.tickets import STATUS_LABEL, Rating, Ticket, TicketEvent, TicketStatus

PARTIES = {"reporter": "反映人", "other_party": "对方"}


def tickets(session: Session, person: Person) -> list[dict[str, Any]]:
    tickets = list(
        session.exec(select(Ticket).where(Ticket.reporter_id == person.id).order_by(col(Ticket.id)))
    )
    ids = [t.id for t in tickets]
    events: dict[int, list[dict[str, Any]]] = {}
    for event in session.exec(
        select(TicketEvent).where(col(TicketEvent.ticket_id).in_(ids)).order_by(col(TicketEvent.id))
    ):
        events.setdefault(event.ticket_id, []).append(
            {
                "action": ACTIONS[event.action].name if event.action in ACTIONS else event.action,
                "from": _status(event.from_status),
                "to": _status(event.to_status),
                "by": _by(event, person),
                "note": event.note,
                "at": iso(event.at),
            }
        )
    ratings = {r.ticket_id: r for r in session.exec(select(Rating).where(col(Rating.ticket_id).in_(ids)))}
    return [
        {
            "code": t.code,
            "kind": KIND_LABEL[t.kind],
            "status": STATUS_LABEL[t.status],
            "category": t.category,
            "place": t.place,
            "description": t.description,
            "preferred_time": t.preferred_time,
            "photos": len(t.photos),
            "other_party": t.other_party,
            "wants": t.wants,
            "agreement": t.agreement,
            "outcome": t.outcome,
            "resolution": t.resolution,
            "created_at": iso(t.created_at),
            "resolved_at": iso(t.resolved_at),
            "closed_at": iso(t.closed_at),
            "timeline": events.get(t.id, []),  # type: ignore[arg-type]
            "rating": _rating(ratings.get(t.id)),  # type: ignore[arg-type]
        }
        for t in tickets
    ]


def _status(value: str) -> str:
    return STATUS_LABEL[TicketStatus(value)] if value in TicketStatus.__members__ else value


def _by(event: TicketEvent, person: Person) -> str:
    """Who acted, by role only: the person themself, 工作人员 (no staff names), or 系统."""
    if event.actor_id == person.id:
        return "本人"
    if event.actor_id is not None:
        return "工作人员"
    return "系统" if not event.actor_label or event.actor_label.startswith("系统") else "工作人员"


def _rating(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {
        "overall": rating.overall,
        "speed": rating.speed,
        "service": rating.service,
        "comment": rating.comment,
        "at": iso(rating.created_at),
    }


def mediation_answers(session: Session, person: Person) -> list[dict[str, Any]]:
    """Each time they were asked whether a mediation settled it, and what they said."""
    rows = session.exec(
        select(MediationAnswer, Ticket)
        .join(Ticket, col(Ticket.id) == MediationAnswer.ticket_id)
        .where(MediationAnswer.person_id == person.id)
        .order_by(col(MediationAnswer.id))
    )
    return [
        {
            "ticket": t.code,
            "as": PARTIES.get(a.party, a.party),
            "asked_at": iso(a.asked_at),
            "answer": "未回答" if a.settled is None else "已化解" if a.settled else "未化解",
            "answered_at": iso(a.answered_at),
        }
        for a, t in rows
    ]
