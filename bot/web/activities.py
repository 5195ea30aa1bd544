"""Activities and rewards in the console: upcoming activities, new ones, the 爱心屋 and pickups by code."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import A, DeskDep, T, back, local, page, require_admin
from bot.web.fields import Line, Positive, Whole
from models.access import audit
from models.activities import Activity, ActivityStatus, create_activity
from models.base import LOCAL_TZ
from models.people import Person
from models.rewards import (
    CATEGORY_NAMES,
    STATUS_NAMES,
    Redemption,
    RedemptionStatus,
    Reward,
    RewardCategory,
    create_reward,
    pick_up,
)

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/activities", response_class=HTMLResponse)
def activities(request: Request, session: SessionDep, actor: DeskDep, now: NowDep) -> HTMLResponse:
    upcoming = session.exec(
        select(Activity)
        .where(Activity.status == ActivityStatus.open)
        .order_by(col(Activity.starts_at).desc())
        .limit(30)
    ).all()
    rewards = session.exec(select(Reward).order_by(col(Reward.id))).all()
    people = {p.id: p.name for p in session.exec(select(Person))}
    names = {r.id: r.name for r in rewards}
    pending = session.exec(
        select(Redemption).where(Redemption.status == RedemptionStatus.pending).order_by(col(Redemption.id))
    ).all()
    return page(
        request,
        "activities.html",
        actor,
        session,
        activities=[
            {
                "title": a.title,
                "kind": a.kind,
                "when": local(a.starts_at),
                "place": a.place,
                "taken": a.taken,
                "capacity": a.capacity,
                "points": a.points,
                "code": a.checkin_code,
                "past": a.starts_at < now,
            }
            for a in upcoming
        ],
        rewards=[(r.name, CATEGORY_NAMES[r.category], r.cost, r.stock, r.place) for r in rewards],
        pending=[
            (o.id, names.get(o.reward_id, ""), people.get(o.person_id, ""), local(o.created_at))
            for o in pending
        ],
        categories=CATEGORY_NAMES,
        can_pickup=actor.role in (A, T),
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
) -> Response:
    require_admin(actor)
    try:
        starts = datetime.fromisoformat(starts_at).replace(tzinfo=LOCAL_TZ)
        value = int(points) if points.strip() else request.app.state.settings.points.for_kind(kind)
        with session.begin():
            activity = create_activity(
                session,
                title=title,
                kind=kind,
                starts_at=starts,
                place=place,
                capacity=capacity,
                points=value,
                now=now,
            )
            audit(session, actor=actor, action="activity.create", now=now, target=f"activity:{activity.id}")
    except ValueError as exc:
        return back("/console/activities", error=f"没有创建：{exc}")
    return back("/console/activities", ok=f"活动「{activity.title}」已创建，签到码 {activity.checkin_code}。")


@router.post("/rewards")
def add_reward(
    session: SessionDep,
    actor: DeskDep,
    now: NowDep,
    name: Line,
    cost: Positive,
    stock: Whole,
    category: Annotated[RewardCategory, Form()] = RewardCategory.goods,
    place: Line = "",
) -> Response:
    require_admin(actor)
    try:
        with session.begin():
            reward = create_reward(
                session, name=name, cost=cost, stock=stock, category=category, place=place, now=now
            )
            audit(session, actor=actor, action="reward.create", now=now, target=f"reward:{reward.id}")
    except ValueError as exc:
        return back("/console/activities", error=f"没有添加：{exc}")
    return back("/console/activities", ok=f"奖品「{reward.name}」已上架。")


@router.post("/redemptions/pickup")
def pickup(session: SessionDep, actor: DeskDep, now: NowDep, code: Line) -> Response:
    """Hand a reward over against the resident's six-digit pickup code (admins and property staff)."""
    if actor.role not in (A, T):
        return back("/console/activities", error="只有管理员和物业可以核销领取。")
    try:
        with session.begin():
            order = pick_up(session, code=code, now=now, by=actor.tag)
            audit(session, actor=actor, action="redemption.pickup", now=now, target=f"redemption:{order.id}")
    except LookupError:
        return back("/console/activities", error=f"领取码 {code} 不存在，请核对。")
    except ValueError as exc:
        return back("/console/activities", error=f"不能领取：{exc}")
    return back("/console/activities", ok=f"领取码 {code} 已核销（{STATUS_NAMES[order.status]}）。")
