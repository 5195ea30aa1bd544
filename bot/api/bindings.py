"""Binding requests: residents whose room could not be bound automatically, for an admin to decide."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel
from sqlmodel import Session, col, select

from bot.api.deps import AdminActor, NowDep, ReadSessionDep, SessionDep
from bot.api.limits import Input, RowId
from bot.api.paging import PageDep, fetch, listing
from models.access import Actor, audit
from models.binding import decide_binding
from models.people import BindingRequest, BindingStatus

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
