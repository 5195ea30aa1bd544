"""Bindings: residencies (a claim on a flat until verified; verify, reject, unbind, record one the
office has checked) and binding requests (a flat not on file, for an admin to place)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from bot.api.deps import AdminActor, NowDep, ReadSessionDep, SessionDep
from bot.api.limits import MAX_INT, Input, RowId
from bot.api.paging import PageDep, fetch, listing
from models.access import Actor, audit
from models.binding import RoomNeeded, decide_binding
from models.community import Room
from models.people import BindingRequest, BindingStatus, Person
from models.residency import Relationship, Residency, ResidencyError, ResidencyStatus, record_verified, unbind
from models.residency_decisions import decide
from models.residency_record import listing_row

router = APIRouter(tags=["bindings"])


class BindingRequestPublic(BaseModel):
    id: int
    person_id: int
    building: str
    unit: str
    room: str
    room_id: int | None
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str
    note: str


class BindingDecision(Input):
    room_id: RowId | None = None
    note: str = ""


@router.get("/binding-requests")
def list_binding_requests(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _admin: AdminActor,
    page: PageDep,
    status_: Annotated[BindingStatus | None, Query(alias="status")] = None,
) -> dict[str, object]:
    query = select(BindingRequest).order_by(col(BindingRequest.id))
    if status_ is not None:
        query = query.where(BindingRequest.status == status_)
    rows, total = fetch(session, query, page)
    items = [BindingRequestPublic.model_validate(r, from_attributes=True) for r in rows]
    return listing(request, response, page, items, total)


def _decide(
    request_id: int, *, approve: bool, body: BindingDecision, session: Session, actor: Actor, now: datetime
) -> BindingRequestPublic:
    try:
        with session.begin():
            decided = decide_binding(
                session,
                request_id=request_id,
                approve=approve,
                decided_by=actor.tag,
                now=now,
                room_id=body.room_id,
                note=body.note,
            )
            action = "binding.approve" if approve else "binding.reject"
            audit(
                session,
                actor=actor,
                action=action,
                now=now,
                target=f"binding_request:{request_id}",
                note=body.note,
            )
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except RoomNeeded as exc:
        detail = "this request names a room that does not exist: choose room_id"
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail) from exc
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    return BindingRequestPublic.model_validate(decided, from_attributes=True)


@router.post("/binding-requests/{request_id}/approve")
def approve(
    request_id: RowId, body: BindingDecision, session: SessionDep, admin: AdminActor, now: NowDep
) -> BindingRequestPublic:
    return _decide(request_id, approve=True, body=body, session=session, actor=admin, now=now)


@router.post("/binding-requests/{request_id}/reject")
def reject(
    request_id: RowId, body: BindingDecision, session: SessionDep, admin: AdminActor, now: NowDep
) -> BindingRequestPublic:
    return _decide(request_id, approve=False, body=body, session=session, actor=admin, now=now)


# Residencies (B…): claims to verify, verified ties of people to flats, unbinding.


class ResidencyCreate(Input):
    person_id: RowId
    room_id: RowId
    relationship: Relationship = Relationship.owner


class ResidencyDecision(Input):
    relationship: Relationship | None = None
    note: Annotated[str, Field(max_length=200)] = ""


@router.get("/bindings")
def list_bindings(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _admin: AdminActor,
    page: PageDep,
    status_: Annotated[ResidencyStatus | None, Query(alias="status")] = None,
    person_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> dict[str, object]:
    """Residencies, oldest first; ``status=claimed`` is what awaits verification, each with the
    person's name and phone, the relationship claimed and the flat's verified owner."""
    query = select(Residency).order_by(col(Residency.id))
    if status_ is not None:
        query = query.where(Residency.status == status_)
    if person_id is not None:
        query = query.where(Residency.person_id == person_id)
    rows, total = fetch(session, query, page)
    return listing(request, response, page, [listing_row(session, r) for r in rows], total)


@router.post("/bindings", status_code=status.HTTP_201_CREATED)
def create_binding(
    body: ResidencyCreate, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, object]:
    """Record a verified tie the office has checked itself: a second flat of an owner, a household
    member, a tenant. It becomes the person's home if they have none."""
    try:
        with session.begin():
            person = session.get(Person, body.person_id)
            if person is None or session.get(Room, body.room_id) is None:
                raise LookupError("person or room not found")
            residency = record_verified(
                session,
                person=person,
                room_id=body.room_id,
                relationship=body.relationship,
                via="approval",
                by=admin.name,
                tag=admin.tag,
                now=now,
            )
            audit(
                session, actor=admin, action="residency.create", now=now, target=f"residency:{residency.id}"
            )
            return listing_row(session, residency)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except ResidencyError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc


def _decide_residency(
    residency_id: int,
    *,
    approve: bool,
    body: ResidencyDecision,
    session: Session,
    actor: Actor,
    now: datetime,
) -> dict[str, object]:
    try:
        with session.begin():
            decided = decide(
                session,
                residency_id=residency_id,
                approve=approve,
                by=actor.name,
                actor=actor,
                now=now,
                relationship=body.relationship,
                note=body.note,
            )
            return listing_row(session, decided)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except ResidencyError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc


@router.post("/bindings/{residency_id}/verify")
def verify_binding(
    residency_id: RowId, body: ResidencyDecision, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, object]:
    """Verify a claim (optionally as another relationship); the resident is told."""
    return _decide_residency(residency_id, approve=True, body=body, session=session, actor=admin, now=now)


@router.post("/bindings/{residency_id}/reject")
def reject_binding(
    residency_id: RowId, body: ResidencyDecision, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, object]:
    """Refuse a claim, with the reason in ``note``; the resident is told and their home cleared."""
    return _decide_residency(residency_id, approve=False, body=body, session=session, actor=admin, now=now)


@router.post("/bindings/{residency_id}/unbind")
def unbind_binding(
    residency_id: RowId, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, object]:
    """End a residency (moved out, sold); a ballot it stood behind no longer counts."""
    with session.begin():
        residency = session.get(Residency, residency_id)
        if residency is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"residency {residency_id} not found")
        if residency.status not in (ResidencyStatus.claimed, ResidencyStatus.verified):
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail=f"residency {residency_id} is {residency.status}"
            )
        unbind(session, residency=residency, by=admin.name, now=now)
        audit(session, actor=admin, action="residency.unbind", now=now, target=f"residency:{residency_id}")
        return listing_row(session, residency)
