"""The notice composer: audience, schedule, expiry and recurrence; whom it reaches, asked once.

「预览发送人数」 shows how many and who (buildings, group chats, residents) with a 「确认发布」 button;
「发布」 without that confirmation only asks. The confirmation carries a fingerprint of the form
and its reach (``bot.web.confirm``): a form changed after the preview is asked about again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, back, local, page, require_admin
from bot.web.confirm import Confirmed, ask, fingerprint
from bot.web.decisions import cancel_question
from bot.web.fields import Line, Text
from bot.web.notice_form import (
    RECURRENCES,
    NoticeForm,
    audience_problem,
    form_problems,
    notice_problem,
    reach_facts,
    unit_choices,
    when,
)
from models.access import Actor, audit
from models.audience import AudienceError, audience_from_json
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
Ticks = Annotated[list[str], Form(max_length=1000)]


def _composer(
    request: Request, session: Session, actor: Actor, form: NoticeForm, **extra: Any
) -> HTMLResponse:
    notices = [
        {
            "id": n.id,
            "title": n.title,
            "category": n.category,
            "audience": audience_from_json(n.audience).label(),
            "status": STATUS.get(n.status, n.status),
            "scheduled": n.status == NoticeStatus.scheduled,
            "when": local(n.published_at or n.publish_at),
            "repeat": RECURRENCES.get(n.recurrence, n.recurrence) if n.recurrence else "",
            "expires": local(n.expires_at),
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
        recurrences=RECURRENCES,
        buildings=[b.number for b in session.exec(select(Building).order_by(col(Building.id)))],
        grids=[g.name for g in session.exec(select(Grid).order_by(col(Grid.id)))],
        units=unit_choices(session),
        notices=notices,
        **extra,
    )


@router.get("/notices", response_class=HTMLResponse)
def composer(request: Request, session: SessionDep, actor: OfficeDep) -> HTMLResponse:
    return _composer(request, session, actor, NoticeForm())


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
    buildings: Ticks = [],  # noqa: B006
    grids: Ticks = [],  # noqa: B006
    units: Ticks = [],  # noqa: B006
    publish_at: Line = "",
    expires_at: Line = "",
    recurrence: Line = "",
    step: Line = "preview",
    confirmed: Confirmed = "",
) -> Response:
    """Preview (how many, who), ask, or, with the preview's confirmation, publish or schedule."""
    form = NoticeForm(
        title, body, category, scope, buildings, grids, units, publish_at, expires_at, recurrence
    )
    problems = form_problems(form)
    if problems:
        return _refused(request, session, actor, form, problems)
    try:
        with session.begin():
            reach = preview(session, audience=form.audience(), category=category)
            facts = reach_facts(session, form, reach)
    except AudienceError as exc:
        return _refused(request, session, actor, form, {"scope": audience_problem(exc)})
    expected = fingerprint("notice", form.as_dict(), reach)
    shown = {"reach": reach, "facts": facts, "expected": expected}
    if confirmed != expected:
        if step == "send" or confirmed:
            require_admin(actor)
            return _composer(request, session, actor, form, asking=True, **shown)
        return _composer(request, session, actor, form, **shown)
    require_admin(actor)
    try:
        with session.begin():
            notice = create_notice(
                session,
                title=title,
                body=body,
                audience=form.audience(),
                category=category,
                publish_at=when(publish_at),
                expires_at=when(expires_at),
                recurrence=recurrence,
                now=now,
                created_by=actor.tag,
            )
            assert notice.id is not None
            published = publish_notice(session, notice_id=notice.id, now=now)
            audit(session, actor=actor, action="notice.create", now=now, target=f"notice:{notice.id}")
    except NoticeError as exc:
        name, reason = notice_problem(exc)
        return _refused(request, session, actor, form, {name: reason}, reach=reach, facts=facts)
    if published is not None:
        done = f"公告「{title}」已发布：{published.groups} 个楼栋群，{published.residents} 位居民。"
    else:
        done = f"公告「{title}」已安排在 {local(notice.publish_at)} 发布。"
    return back("/console/notices", ok=done)


def _refused(
    request: Request, session: Session, actor: Actor, form: NoticeForm, problems: dict[str, str], **extra: Any
) -> HTMLResponse:
    """The form again with each reason next to its field; nothing was sent."""
    head = "发送对象有误" if "scope" in problems else "没有发布"
    banner = f"{head}：{'；'.join(problems.values())}。"
    return _composer(request, session, actor, form, problem=banner, field_errors=problems, **extra)


@router.post("/notices/{notice_id}/cancel")
def cancel(
    request: Request,
    notice_id: int,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    with session.begin():
        question = cancel_question(session, notice_id=notice_id)
    if confirmed != question.expected:
        action = f"/console/notices/{notice_id}/cancel"
        return ask(request, actor, session, question, action=action, back_to="/console/notices")
    try:
        with session.begin():
            cancel_notice(session, notice_id=notice_id)
            audit(session, actor=actor, action="notice.cancel", now=now, target=f"notice:{notice_id}")
    except (LookupError, ValueError):
        return back("/console/notices", error="撤销失败：这条公告已经发布或已撤销，只能撤销待发布的公告。")
    return back("/console/notices", ok="已撤销这条待发布的公告。")
