"""Activities in the console: upcoming and past, one activity's sign-up sheet and attendance,
its capacity and deadline, and cancelling it (asked first; everyone signed up is told)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from bot.api.deps import NowDep, SessionDep
from bot.web.common import A, DeskDep, T, back, local, page, require_admin
from bot.web.confirm import Confirmed, Question, ask, fingerprint
from bot.web.fields import Line, Positive
from models.access import Actor, audit
from models.activities import (
    CHECKIN_EARLY,
    Activity,
    ActivityStatus,
    SignupStatus,
    create_activity,
    when_label,
)
from models.activity_desk import (
    DeskError,
    activity_list,
    cancel_activity,
    counts,
    edit_activity,
    mark_no_show,
    mark_present,
    signup_sheet,
    still_signed_up,
)
from models.base import LOCAL_TZ, by_id
from models.pages import pages

router = APIRouter(prefix="/console", include_in_schema=False)

SIGNUP_NAMES = {
    SignupStatus.confirmed: "已报名",
    SignupStatus.waitlisted: "候补",
    SignupStatus.cancelled: "已退出",
    SignupStatus.attended: "已签到",
    SignupStatus.no_show: "缺席",
}
REFUSED = {
    "cancelled": "活动已取消，不能再改。",
    "not_started": "活动还没开始，不能登记。",
    "already": "已经签到过了，积分不会重复发。",
    "attended": "已经签到，不能记为缺席。",
    "waitlisted": "这位是候补，没有正式名额。",
    "no_show": "已经记为缺席。",
    "confirmed": "这位还没有登记签到或缺席。",
    "deadline_after_start": "报名截止时间不能晚于活动开始。",
    "below_taken": "名额不能少于已报名的人数。",
}
CREATE_REFUSED = {
    "capacity must be at least 1": "名额至少 1 人。",
    "points cannot be negative": "积分不能是负数。",
    "an activity needs a title": "请填写活动名称。",
}


def _path(activity_id: int) -> str:
    return f"/console/activities/{activity_id}"


def _when(text: str) -> datetime | None:
    """A ``datetime-local`` value in Beijing time; empty → None; ValueError if it is not a time."""
    return datetime.fromisoformat(text.strip()).replace(tzinfo=LOCAL_TZ) if text.strip() else None


def _activity(session: SessionDep, activity_id: int) -> Activity:
    activity = by_id(session, Activity, activity_id)
    if activity is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个活动，可能地址有误。")
    return activity


def _may_mark(actor: Actor) -> None:
    if actor.role not in (A, T):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="只有管理员和物业可以登记签到。")


@router.get("/activities", response_class=HTMLResponse)
def activities(
    request: Request, session: SessionDep, actor: DeskDep, now: NowDep, when: str = "upcoming", p: int = 1
) -> HTMLResponse:
    past = when == "past"
    rows, total = activity_list(session, now=now, past=past, page=p)
    number = max(1, min(p, pages(total)))
    link = f"/console/activities?when={'past' if past else 'upcoming'}&p="
    return page(
        request,
        "activities.html",
        actor,
        session,
        past=past,
        total=total,
        activities=[
            {
                "id": a.id,
                "title": a.title,
                "kind": a.kind,
                "when": local(a.starts_at),
                "place": a.place,
                "taken": a.taken,
                "capacity": a.capacity,
                "points": a.points,
                "code": a.checkin_code,
                "cancelled": a.status == ActivityStatus.cancelled,
                "started": a.starts_at <= now,
            }
            for a in rows
        ],
        number=number,
        pages=pages(total),
        previous=f"{link}{number - 1}" if number > 1 else "",
        following=f"{link}{number + 1}" if number < pages(total) else "",
        default_points=request.app.state.settings.points.attendance_default,
    )


@router.post("/activities")
def create(
    request: Request,
    session: SessionDep,
    actor: DeskDep,
    now: NowDep,
    title: Line,
    starts_at: Line,
    capacity: Positive,
    kind: Line = "",
    place: Line = "",
    points: Line = "",
    signup_deadline: Line = "",
) -> Response:
    require_admin(actor)
    try:
        starts, deadline = _when(starts_at), _when(signup_deadline)
        value = int(points) if points.strip() else request.app.state.settings.points.for_kind(kind)
    except ValueError:
        return back("/console/activities", error="时间或积分的格式不对，请重新填写。")
    if starts is None:
        return back(
            "/console/activities", fields={"starts_at": "「开始时间」不能为空"}, action="/console/activities"
        )
    if deadline is not None and deadline > starts:
        return back("/console/activities", error=REFUSED["deadline_after_start"])
    try:
        with session.begin():
            activity = create_activity(
                session,
                title=title,
                kind=kind,
                starts_at=starts,
                place=place,
                capacity=capacity,
                points=value,
                signup_deadline=deadline,
                now=now,
            )
            audit(session, actor=actor, action="activity.create", now=now, target=f"activity:{activity.id}")
    except ValueError as exc:
        return back(
            "/console/activities", error=f"没有创建：{CREATE_REFUSED.get(str(exc), '请检查填写的内容。')}"
        )
    return back(_path(activity.id), ok=f"活动「{activity.title}」已创建，签到码 {activity.checkin_code}。")  # type: ignore[arg-type]


@router.get("/activities/{activity_id}", response_class=HTMLResponse)
def activity_page(
    request: Request, session: SessionDep, actor: DeskDep, now: NowDep, activity_id: int, p: int = 1
) -> HTMLResponse:
    activity = _activity(session, activity_id)
    sheet, total = signup_sheet(session, activity_id=activity_id, page=p)
    number = max(1, min(p, pages(total)))
    tally = counts(session, activity_id=activity_id)
    is_open = activity.status == ActivityStatus.open
    return page(
        request,
        "activity.html",
        actor,
        session,
        a=activity,
        when=when_label(activity.starts_at),
        ends=local(activity.ends_at, "%H:%M"),
        deadline=local(activity.signup_deadline, "%Y-%m-%dT%H:%M"),
        deadline_label=when_label(activity.signup_deadline)
        if activity.signup_deadline
        else "不限（开始前都可报名）",
        is_open=is_open,
        started=activity.starts_at <= now,
        checkin_open=now >= activity.starts_at - CHECKIN_EARLY,
        sheet=sheet,
        names=SIGNUP_NAMES,
        tally=[(SIGNUP_NAMES[s], tally[s]) for s in SIGNUP_NAMES if tally.get(s)],
        total=total,
        number=number,
        pages=pages(total),
        previous=f"{_path(activity_id)}?p={number - 1}" if number > 1 else "",
        following=f"{_path(activity_id)}?p={number + 1}" if number < pages(total) else "",
        can_mark=is_open and actor.role in (A, T),
        active="/console/activities",
    )


@router.post("/activities/{activity_id}/signups/{signup_id}/attendance")
def attendance(
    session: SessionDep, actor: DeskDep, now: NowDep, activity_id: int, signup_id: int, came: Line
) -> Response:
    """签到 (came=1: the activity's points, once) or 缺席 (came=0)."""
    _may_mark(actor)
    present, credited = came == "1", False
    try:
        with session.begin():
            activity = _activity(session, activity_id)
            if present:
                credited = mark_present(
                    session, activity_id=activity_id, signup_id=signup_id, by=actor.tag, now=now
                )
            else:
                mark_no_show(session, activity_id=activity_id, signup_id=signup_id, by=actor.tag, now=now)
            audit(
                session,
                actor=actor,
                action="activity.attendance" if present else "activity.no_show",
                now=now,
                target=f"activity:{activity_id}",
                signup=signup_id,
            )
    except LookupError:
        return back(_path(activity_id), error="没有找到这条报名。")
    except DeskError as exc:
        return back(_path(activity_id), error=REFUSED.get(exc.code, "没有登记，请刷新后再试。"))
    if not present:
        return back(_path(activity_id), ok="已记为缺席。")
    points = f"，发放 {activity.points} 积分" if credited else ""
    return back(_path(activity_id), ok=f"已签到{points}。")


@router.post("/activities/{activity_id}/edit")
def edit(
    session: SessionDep,
    actor: DeskDep,
    now: NowDep,
    activity_id: int,
    capacity: Positive,
    signup_deadline: Line = "",
) -> Response:
    require_admin(actor)
    try:
        deadline = _when(signup_deadline)
    except ValueError:
        return back(
            _path(activity_id),
            fields={"signup_deadline": "「报名截止」格式不对"},
            action=f"{_path(activity_id)}/edit",
        )
    try:
        with session.begin():
            _activity(session, activity_id)
            moved = edit_activity(
                session, activity_id=activity_id, capacity=capacity, signup_deadline=deadline, now=now
            )
            audit(
                session,
                actor=actor,
                action="activity.edit",
                now=now,
                target=f"activity:{activity_id}",
                capacity=capacity,
            )
    except DeskError as exc:
        return back(_path(activity_id), error=REFUSED.get(exc.code, "没有保存，请刷新后再试。"))
    told = f"候补的 {moved} 人转为正式报名，已通知。" if moved else ""
    return back(_path(activity_id), ok=f"已保存名额和报名截止时间。{told}")


@router.post("/activities/{activity_id}/cancel")
def cancel(
    request: Request,
    session: SessionDep,
    actor: DeskDep,
    now: NowDep,
    activity_id: int,
    reason: Line = "",
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    with session.begin():
        activity = _activity(session, activity_id)
        if activity.status != ActivityStatus.open:
            return back(_path(activity_id), error=REFUSED["cancelled"])
        people = still_signed_up(session, activity_id=activity_id)
        question = Question(
            title="取消活动",
            question=f"取消「{activity.title}」？",
            button="确认取消活动",
            expected=fingerprint("activity.cancel", activity_id, activity.status, len(people), reason),
            facts=[
                f"时间：{when_label(activity.starts_at)}，地点：{activity.place or '未填'}",
                f"会在微信里通知已报名和候补的 {len(people)} 位居民。"
                if people
                else "还没有人报名，不会通知任何人。",
                f"原因：{reason}" if reason.strip() else "没有写原因；通知里只说活动已取消。",
            ],
            danger=True,
        )
    if confirmed != question.expected:
        return ask(
            request,
            actor,
            session,
            question,
            action=f"{_path(activity_id)}/cancel",
            back_to=_path(activity_id),
            fields={"reason": reason},
        )
    try:
        with session.begin():
            told = cancel_activity(session, activity_id=activity_id, reason=reason, now=now)
            audit(
                session,
                actor=actor,
                action="activity.cancel",
                now=now,
                target=f"activity:{activity_id}",
                told=told,
            )
    except DeskError:
        return back(_path(activity_id), error=REFUSED["cancelled"])
    return back(_path(activity_id), ok=f"活动已取消，已通知 {told} 位居民。")
