"""The notice composer: audience choice, how many it reaches before sending, publish now or at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, back, local, page, require_admin
from bot.web.fields import Line, Text
from models.access import Actor, audit
from models.base import LOCAL_TZ
from models.community import Building, Grid
from models.notices import (
    CATEGORIES,
    Notice,
    NoticeError,
    NoticeStatus,
    cancel_notice,
    create_notice,
    preview,
    publish_notice,
)

router = APIRouter(prefix="/console", include_in_schema=False)
STATUS = {
    NoticeStatus.scheduled: "待发布",
    NoticeStatus.published: "已发布",
    NoticeStatus.expired: "已过期",
    NoticeStatus.cancelled: "已撤销",
}
FIELDS = {
    "title": "标题",
    "body": "正文",
    "audience": "发送对象",
    "category": "类别",
    "publish_at": "发布时间",
}


def _audience(scope: str, buildings: list[str], grids: list[str]) -> dict[str, Any]:
    if scope == "buildings":
        return {"buildings": buildings}
    if scope == "grids":
        return {"grids": grids}
    return {"all": True}


def _when(text: str) -> datetime | None:
    """A ``datetime-local`` value read as Beijing time; empty means now."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ) if text.strip() else None


def _composer(
    request: Request, session: Session, actor: Actor, form: dict[str, Any], **extra: Any
) -> HTMLResponse:
    notices = [
        {
            "id": n.id,
            "title": n.title,
            "category": n.category,
            "status": STATUS.get(n.status, n.status),
            "scheduled": n.status == NoticeStatus.scheduled,
            "when": local(n.published_at or n.publish_at),
            "publications": n.publications,
        }
        for n in session.exec(select(Notice).order_by(col(Notice.id).desc()).limit(50))
    ]
    return page(
        request,
        "notices.html",
        actor,
        session,
        form=form,
        categories=CATEGORIES,
        buildings=[b.number for b in session.exec(select(Building).order_by(col(Building.id)))],
        grids=[g.name for g in session.exec(select(Grid).order_by(col(Grid.id)))],
        notices=notices,
        **extra,
    )


@router.get("/notices", response_class=HTMLResponse)
def composer(request: Request, session: SessionDep, actor: OfficeDep) -> HTMLResponse:
    form = {
        "title": "",
        "body": "",
        "category": "通知",
        "scope": "all",
        "buildings": [],
        "grids": [],
        "publish_at": "",
    }
    return _composer(request, session, actor, form)


@router.post("/notices", response_class=HTMLResponse)
def compose(
    request: Request,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    title: Line = "",
    body: Text = "",
    category: Line = "通知",
    scope: Line = "all",
    buildings: Annotated[list[str], Form(max_length=1000)] = [],  # noqa: B006
    grids: Annotated[list[str], Form(max_length=1000)] = [],  # noqa: B006
    publish_at: Line = "",
    step: Line = "preview",
) -> Response:
    """``step=preview`` shows how many it reaches; ``step=send`` publishes now or schedules it."""
    form = {
        k: v
        for k, v in locals().items()
        if k in ("title", "body", "category", "scope", "buildings", "grids", "publish_at")
    }
    audience = _audience(scope, buildings, grids)
    try:
        with session.begin():
            reach = preview(session, audience=audience, category=category)
    except ValueError as exc:
        return _composer(request, session, actor, form, problem=f"发送对象有误：{exc}")
    if step != "send":
        return _composer(request, session, actor, form, reach=reach)
    require_admin(actor)
    try:
        when = _when(publish_at)
        with session.begin():
            notice = create_notice(
                session,
                title=title,
                body=body,
                audience=audience,
                category=category,
                publish_at=when,
                now=now,
                created_by=actor.tag,
            )
            assert notice.id is not None
            published = publish_notice(session, notice_id=notice.id, now=now)
            audit(session, actor=actor, action="notice.create", now=now, target=f"notice:{notice.id}")
    except NoticeError as exc:
        return _composer(
            request, session, actor, form, reach=reach, problem=f"{FIELDS.get(exc.field, exc.field)}：{exc}"
        )
    except ValueError:
        return _composer(request, session, actor, form, reach=reach, problem="发布时间格式不对。")
    if published is not None:
        done = f"公告「{title}」已发布：{published.groups} 个楼栋群，{published.residents} 位居民。"
    else:
        done = f"公告「{title}」已安排在 {local(notice.publish_at)} 发布。"
    return back("/console/notices", ok=done)


@router.post("/notices/{notice_id}/cancel")
def cancel(notice_id: int, session: SessionDep, actor: OfficeDep, now: NowDep) -> Response:
    require_admin(actor)
    try:
        with session.begin():
            cancel_notice(session, notice_id=notice_id)
            audit(session, actor=actor, action="notice.cancel", now=now, target=f"notice:{notice_id}")
    except (LookupError, ValueError) as exc:
        return back("/console/notices", error=f"撤销失败：{exc}")
    return back("/console/notices", ok="已撤销这条待发布的公告。")
