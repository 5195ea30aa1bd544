"""Notices (公告): create (now or at publish_at, optionally recurring), preview, list, get, cancel.

A ``publish_at`` more than a minute in the past is refused (422) rather than published late:
leave it out to publish now. Publishing now happens inside the request, in the same
transaction as the outbox rows; the response names the operation that did it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlmodel import col, select

from bot.api.deps import AdminActor, AdminDep, Everyone, NowDep, ReadSessionDep, SessionDep
from bot.api.limits import Input, RowId, When
from bot.api.paging import PageDep, fetch, listing
from models.access import audit
from models.audience import AudienceError
from models.notices import (
    CATEGORIES,
    MAX_BODY,
    MAX_TITLE,
    Notice,
    NoticeError,
    NoticeStatus,
    cancel_notice,
    create_notice,
    preview,
    publish_notice,
)

router = APIRouter(tags=["notices"])


class NoticeCreate(Input):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    body: str = Field(min_length=1, max_length=MAX_BODY)
    audience: dict[str, Any]
    category: str = Field(default="通知", description=f"one of {', '.join(CATEGORIES)}")
    publish_at: When | None = None
    expires_at: When | None = None
    recurrence: str = Field(default="", description="daily | weekly:mon..sun | monthly:1..28")


class AudiencePreview(Input):
    audience: dict[str, Any]
    category: str = "通知"


class NoticePublic(BaseModel):
    id: int
    title: str
    body: str
    category: str
    audience: dict[str, Any]
    publish_at: datetime
    expires_at: datetime | None
    recurrence: str
    status: str
    created_by: str
    created_at: datetime
    published_at: datetime | None
    publications: int


def _invalid(field: str, message: str) -> HTTPException:
    return HTTPException(
        422,
        detail=[{"loc": ["body", field], "msg": message, "type": "value_error"}],
    )


@router.post("/notices", status_code=status.HTTP_201_CREATED)
def create(body: NoticeCreate, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    try:
        with session.begin():
            notice = create_notice(session, now=now, created_by=admin.tag, **body.model_dump())
            assert notice.id is not None
            audit(session, actor=admin, action="notice.create", now=now, target=f"notice:{notice.id}")
            published = publish_notice(session, notice_id=notice.id, now=now)
    except NoticeError as exc:
        raise _invalid(exc.field, str(exc)) from exc
    result: dict[str, Any] = {"id": notice.id, "status": notice.status, "publish_at": notice.publish_at}
    if published is not None:
        result["status"] = session.get(Notice, notice.id).status  # type: ignore[union-attr]
        result |= {
            "operation_id": published.operation_id,
            "groups": published.groups,
            "residents": published.residents,
        }
    return result


@router.post("/notices/preview")
def preview_audience(body: AudiencePreview, session: ReadSessionDep, _admin: AdminDep) -> dict[str, int]:
    """How many building groups and residents a notice to this audience would reach now."""
    try:
        return preview(session, audience=body.audience, category=body.category)
    except AudienceError as exc:
        raise _invalid("audience", str(exc)) from exc


@router.get("/notices")
def list_notices(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _actor: Everyone,
    page: PageDep,
    status_: Annotated[NoticeStatus | None, Query(alias="status")] = None,
) -> dict[str, object]:
    query = select(Notice).order_by(col(Notice.id).desc())
    if status_ is not None:
        query = query.where(Notice.status == status_)
    rows, total = fetch(session, query, page)
    items = [NoticePublic.model_validate(n, from_attributes=True) for n in rows]
    return listing(request, response, page, items, total)


@router.get("/notices/{notice_id}")
def get_notice(notice_id: RowId, session: ReadSessionDep, _actor: Everyone) -> NoticePublic:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"notice {notice_id} not found")
    return NoticePublic.model_validate(notice, from_attributes=True)


@router.post("/notices/{notice_id}/cancel")
def cancel(notice_id: RowId, session: SessionDep, admin: AdminActor, now: NowDep) -> NoticePublic:
    try:
        with session.begin():
            notice = cancel_notice(session, notice_id=notice_id)
            audit(session, actor=admin, action="notice.cancel", now=now, target=f"notice:{notice_id}")
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    return NoticePublic.model_validate(notice, from_attributes=True)
