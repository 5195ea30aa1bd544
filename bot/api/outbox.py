"""The outbox: what the bot has pushed or will push, and dead letters to retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from bot.api.deps import AdminActor, NowDep, SessionDep
from models import outbox
from models.access import audit
from models.outbox import OutboxStatus

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
    session: SessionDep,
    _admin: AdminActor,
    status_: Annotated[OutboxStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, object]:
    """Newest first; ``?status=dead`` lists the dead letters with their reason (``last_error``)."""
    rows = outbox.listing(session, status=status_, limit=limit)
    items = [OutboxMessagePublic.model_validate(row, from_attributes=True) for row in rows]
    return {"items": items, "total": len(items)}


@router.post("/outbox/{message_id}/retry")
def retry(message_id: int, session: SessionDep, admin: AdminActor, now: NowDep) -> OutboxMessagePublic:
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
