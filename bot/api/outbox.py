"""The outbox: what the bot has pushed or will push, and dead letters to retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import BaseModel
from sqlmodel import col, select

from bot.api.deps import AdminActor, NowDep, ReadSessionDep, SessionDep
from bot.api.limits import RowId
from bot.api.paging import Page, fetch, listing, paging
from models import outbox
from models.access import audit
from models.outbox import OutboxMessage, OutboxStatus, is_status

router = APIRouter(tags=["outbox"])


class OutboxMessagePublic(BaseModel):
    id: int
    idempotency_key: str
    status: str
    kind: str
    person_id: int | None
    building_id: int | None
    channel: str
    via: str
    text: str
    payload: dict[str, Any]
    attempts: int
    parts: int
    parts_sent: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


@router.get("/outbox")
def list_outbox(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _admin: AdminActor,
    page: Annotated[Page, Depends(paging(default=200))],
    status_: Annotated[OutboxStatus | None, Query(alias="status")] = None,
) -> dict[str, object]:
    """Newest first; ``?status=dead`` lists the dead letters with their reason (``last_error``)."""
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc())
    if status_ is not None:
        query = query.where(is_status(status_))
    rows, total = fetch(session, query, page)
    items = [OutboxMessagePublic.model_validate(row, from_attributes=True) for row in rows]
    return listing(request, response, page, items, total)


@router.post("/outbox/{message_id}/retry")
def retry(message_id: RowId, session: SessionDep, admin: AdminActor, now: NowDep) -> OutboxMessagePublic:
    """Send a dead letter again (due now, a fresh attempt budget); 409 if it is not dead."""
    try:
        with session.begin():
            message = outbox.retry_dead(session, message_id=message_id, now=now)
            audit(session, actor=admin, action="outbox.retry", now=now, target=f"outbox_message:{message_id}")
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    return OutboxMessagePublic.model_validate(message, from_attributes=True)
