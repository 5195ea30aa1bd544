"""Tickets and their metrics: list, detail with timeline, dispatch / transfer / close, stats.

Admins, the secretary and property staff see every ticket; a grid worker only those in their
grid's buildings (403 for the others). Every action is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, ReadSessionDep, SessionDep, TicketActor, in_scope
from bot.api.limits import Input, RowId
from bot.api.paging import PageDep, fetch, listing
from models.access import Actor, audit
from models.dispatch import Outcome, dispatch, map_link, transfer
from models.fee_stats import collection
from models.people import Person
from models.sla import TicketRules
from models.stats import compute
from models.ticket_office import close_or_cancel
from models.ticket_story import RUNGS, steps
from models.tickets import Ticket, TicketKind, TicketStatus

router = APIRouter(tags=["tickets"])


class TicketEventPublic(BaseModel):
    """One line of the timeline, in words: 「网格员刘志强」「转派给 李师傅」「已派单」."""

    at: datetime
    who: str
    what: str
    status: str  # the status after it, when it changed ("" otherwise)
    note: str
    actor_id: int | None


class TicketPublic(BaseModel):
    id: int
    code: str
    kind: str
    status: str
    category: str
    place: str
    description: str
    photos: list[str]  # WeChat's picture links (or media ids) the resident sent
    spot_id: int | None  # the spot whose QR code it was reported by (码上办)
    latitude: float | None  # the location the resident sent (GCJ-02, as WeChat gives it)
    longitude: float | None
    map_link: str  # that location on a map; "" when none was sent
    reporter_id: int
    assignee_id: int | None
    mode: str
    due_at: datetime
    escalation_level: int  # 0 none … 4 the secretary; ``escalated_to`` says it in words
    escalated_to: str
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution: str
    resident_fixed: bool | None
    outcome: str
    department: str
    created_at: datetime


class TicketDetail(TicketPublic):
    other_party: str
    wants: str
    mediation_record: list[dict[str, Any]]
    agreement: str
    timeline: list[TicketEventPublic]


class PersonRef(Input):
    person_id: RowId
    note: str = ""
    over_cap_reason: str = ""  # why the person must take it past the per-worker cap


class CloseBody(Input):
    note: str = ""


def _public(ticket: Ticket) -> TicketPublic:
    rung = RUNGS.get(ticket.escalation_level, "")
    return TicketPublic.model_validate(
        {**ticket.model_dump(), "code": ticket.code, "escalated_to": rung, "map_link": map_link(ticket)}
    )


def _get(session: Session, ticket_id: int, actor: Actor) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"ticket {ticket_id} not found")
    in_scope(actor, ticket.building_id, f"ticket {ticket_id}")
    return ticket


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"person {person_id} not found")
    return person


def _check(outcome: Outcome, what: str, rules: TicketRules | None = None) -> None:
    if not outcome.ok:
        ticket = outcome.ticket
        state = ticket.status if ticket else "?"
        if outcome.reason == "cap" and rules is not None:
            detail = (
                f"cannot {what}: cap: the person already has {rules.max_open_per_worker} or more open"
                " tickets (max_open_per_worker); give over_cap_reason to go past it"
            )
        else:
            detail = f"cannot {what}: {outcome.reason} (status {state})"
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail)


@router.get("/tickets")
def list_tickets(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    actor: TicketActor,
    page: PageDep,
    status_: Annotated[TicketStatus | None, Query(alias="status")] = None,
    kind: TicketKind | None = None,
) -> dict[str, object]:
    query = select(Ticket).order_by(col(Ticket.id).desc())
    if status_ is not None:
        query = query.where(Ticket.status == status_)
    if kind is not None:
        query = query.where(Ticket.kind == kind)
    if actor.building_ids is not None:
        query = query.where(col(Ticket.building_id).in_(actor.building_ids))
    rows, total = fetch(session, query, page)
    return listing(request, response, page, [_public(t) for t in rows], total)


@router.get("/tickets/{ticket_id}")
def get_ticket(ticket_id: RowId, session: ReadSessionDep, actor: TicketActor) -> TicketDetail:
    ticket = _get(session, ticket_id, actor)
    events = [TicketEventPublic.model_validate(s, from_attributes=True) for s in steps(session, ticket_id)]
    rung = RUNGS.get(ticket.escalation_level, "")
    return TicketDetail.model_validate(
        {
            **ticket.model_dump(),
            "code": ticket.code,
            "escalated_to": rung,
            "map_link": map_link(ticket),
            "timeline": events,
        }
    )


@router.post("/tickets/{ticket_id}/dispatch")
def dispatch_ticket(
    request: Request, ticket_id: RowId, body: PersonRef, session: SessionDep, actor: TicketActor, now: NowDep
) -> TicketPublic:
    rules = request.app.state.settings.tickets
    with session.begin():
        ticket, person = _get(session, ticket_id, actor), _person(session, body.person_id)
        _check(
            dispatch(
                session,
                ticket=ticket,
                person=person,
                actor_id=actor.person_id,
                actor_label=actor.label,
                now=now,
                note=body.note,
                rules=rules,
                override=body.over_cap_reason,
            ),
            "dispatch",
            rules,
        )
        audit(
            session,
            actor=actor,
            action="ticket.dispatch",
            now=now,
            target=f"ticket:{ticket_id}",
            to=person.id,
        )
    return _public(ticket)


@router.post("/tickets/{ticket_id}/transfer")
def transfer_ticket(
    request: Request, ticket_id: RowId, body: PersonRef, session: SessionDep, actor: TicketActor, now: NowDep
) -> TicketPublic:
    rules = request.app.state.settings.tickets
    with session.begin():
        ticket, person = _get(session, ticket_id, actor), _person(session, body.person_id)
        _check(
            transfer(
                session,
                ticket=ticket,
                actor=None,
                target=person,
                rules=rules,
                now=now,
                note=body.note,
                override=body.over_cap_reason,
                by_id=actor.person_id,
                by_label=actor.label,
            ),
            "transfer",
            rules,
        )
        audit(
            session,
            actor=actor,
            action="ticket.transfer",
            now=now,
            target=f"ticket:{ticket_id}",
            to=person.id,
            note=body.note,
        )
    return _public(ticket)


@router.post("/tickets/{ticket_id}/close")
def close_ticket(
    ticket_id: RowId, body: CloseBody, session: SessionDep, actor: TicketActor, now: NowDep
) -> TicketPublic:
    """Close a resolved ticket, or cancel one that is still open (with the note as the reason)."""
    with session.begin():
        ticket = _get(session, ticket_id, actor)
        _check(
            close_or_cancel(
                session,
                ticket=ticket,
                actor_id=actor.person_id,
                actor_label=actor.label,
                now=now,
                note=body.note,
            ),
            "close",
        )
        audit(
            session, actor=actor, action="ticket.close", now=now, target=f"ticket:{ticket_id}", note=body.note
        )
    return _public(ticket)


@router.get("/stats")
def stats(
    request: Request,
    session: ReadSessionDep,
    actor: TicketActor,
    now: NowDep,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
) -> dict[str, Any]:
    """The metrics; a grid worker's cover their grid only. ``collection_rate``: 物业费收缴率 of the
    bills already due (of ``month``'s bills when given); the breakdown is ``/fees/collection``."""
    weights = request.app.state.settings.tickets.metric_weights
    result = compute(session, now=now, weights=weights, month=month, building_ids=actor.building_ids)
    scope = sorted(actor.building_ids) if actor.building_ids is not None else None
    fees, _rows = collection(session, now=now, period=month, building_ids=scope)
    return {**result, "collection_rate": fees.rate}
