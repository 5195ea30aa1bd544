"""The 爱心屋 in the console: items with stock and price, edit and restock, and the pickups
awaiting collection (paged): hand over by code or from the list, or cancel with points refunded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import A, DeskDep, T, back, local, page, require_admin
from bot.web.confirm import Confirmed, Question, ask, fingerprint
from bot.web.fields import Line, Positive, Whole
from models.access import Actor, audit
from models.base import by_id
from models.pages import pages
from models.people import Person
from models.reward_desk import RewardDeskError, cancel_and_tell, collect, edit_reward, pending_pickups
from models.rewards import (
    CATEGORY_NAMES,
    STATUS_NAMES,
    Redemption,
    RedemptionStatus,
    Reward,
    RewardCategory,
    StockOverflow,
    create_reward,
    pick_up,
    restock,
)

router = APIRouter(prefix="/console", include_in_schema=False)
HOME = "/console/rewards"
REFUSED = {
    "no_name": "请填写名称。",
    "cost": "所需积分至少 1 分。",
    "name_taken": "已有同名的奖品，请换个名称。",
    "completed": "这笔兑换已经领取了。",
    "cancelled": "这笔兑换已经取消了。",
}


def _may_hand_over(actor: Actor) -> None:
    if actor.role not in (A, T):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="只有管理员和物业可以核销领取。")


@router.get("/rewards", response_class=HTMLResponse)
def rewards(request: Request, session: SessionDep, actor: DeskDep, p: int = 1) -> HTMLResponse:
    items = session.exec(select(Reward).order_by(col(Reward.active).desc(), col(Reward.id))).all()
    pending, total = pending_pickups(session, page=p)
    number = max(1, min(p, pages(total)))
    return page(
        request,
        "rewards.html",
        actor,
        session,
        rewards=items,
        category_names=CATEGORY_NAMES,
        categories=CATEGORY_NAMES,
        pending=[(x, local(x.order.created_at)) for x in pending],
        total=total,
        number=number,
        pages=pages(total),
        previous=f"{HOME}?p={number - 1}" if number > 1 else "",
        following=f"{HOME}?p={number + 1}" if number < pages(total) else "",
        can_pickup=actor.role in (A, T),
    )


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
        said = REFUSED["name_taken"] if "already exists" in str(exc) else "请检查填写的内容。"
        return back(HOME, error=f"没有添加：{said}")
    return back(HOME, ok=f"奖品「{reward.name}」已上架。")


@router.post("/rewards/{reward_id}/edit")
def edit(
    session: SessionDep,
    actor: DeskDep,
    now: NowDep,
    reward_id: int,
    name: Line,
    cost: Positive,
    place: Line = "",
    active: Line = "",
) -> Response:
    require_admin(actor)
    try:
        with session.begin():
            reward = edit_reward(
                session, reward_id=reward_id, name=name, cost=cost, place=place, active=bool(active)
            )
            audit(
                session, actor=actor, action="reward.edit", now=now, target=f"reward:{reward_id}", cost=cost
            )
    except LookupError:
        return back(HOME, error="没有这个奖品，可能已被删除。")
    except RewardDeskError as exc:
        return back(HOME, error=f"没有保存：{REFUSED.get(exc.code, '请检查填写的内容。')}")
    shelf = "" if reward.active else "，已下架，居民暂时不能兑换"
    return back(HOME, ok=f"「{reward.name}」已保存{shelf}。")


@router.post("/rewards/{reward_id}/restock")
def add_stock(session: SessionDep, actor: DeskDep, now: NowDep, reward_id: int, add: Positive) -> Response:
    require_admin(actor)
    try:
        with session.begin():
            reward = restock(session, reward_id=reward_id, add=add)
            audit(
                session, actor=actor, action="reward.restock", now=now, target=f"reward:{reward_id}", add=add
            )
    except LookupError:
        return back(HOME, error="没有这个奖品，可能已被删除。")
    except StockOverflow:
        return back(HOME, error="库存太大了，没有补充。")
    return back(HOME, ok=f"「{reward.name}」补充 {add} 件，现有 {reward.stock} 件。")


@router.post("/redemptions/pickup")
def pickup(session: SessionDep, actor: DeskDep, now: NowDep, code: Line) -> Response:
    """Hand a reward over against the resident's six-digit pickup code (admins and property staff)."""
    _may_hand_over(actor)
    try:
        with session.begin():
            order = pick_up(session, code=code, now=now, by=actor.tag)
            audit(session, actor=actor, action="redemption.pickup", now=now, target=f"redemption:{order.id}")
    except LookupError:
        return back(HOME, error=f"领取码 {code} 不存在，请核对。")
    except ValueError:
        return back(HOME, error=f"领取码 {code} 已经用过或已取消。")
    return back(HOME, ok=f"领取码 {code} 已核销（{STATUS_NAMES[order.status]}）。")


@router.post("/redemptions/{redemption_id}/collect")
def hand_over(session: SessionDep, actor: DeskDep, now: NowDep, redemption_id: int) -> Response:
    """Handed over from the pending list (the desk saw the resident)."""
    _may_hand_over(actor)
    try:
        with session.begin():
            collect(session, redemption_id=redemption_id, now=now, by=actor.tag)
            audit(
                session,
                actor=actor,
                action="redemption.pickup",
                now=now,
                target=f"redemption:{redemption_id}",
            )
    except LookupError:
        return back(HOME, error="没有这笔兑换。")
    except RewardDeskError as exc:
        return back(HOME, error=REFUSED.get(exc.code, "没有核销，请刷新后再试。"))
    return back(HOME, ok=f"兑换单 #{redemption_id} 已领取。")


@router.post("/redemptions/{redemption_id}/cancel")
def cancel(
    request: Request,
    session: SessionDep,
    actor: DeskDep,
    now: NowDep,
    redemption_id: int,
    reason: Line = "",
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    with session.begin():
        order = by_id(session, Redemption, redemption_id)
        if order is None:
            return back(HOME, error="没有这笔兑换。")
        if order.status != RedemptionStatus.pending:
            return back(HOME, error=REFUSED.get(order.status.value, "这笔兑换不能取消。"))
        reward, person = session.get(Reward, order.reward_id), session.get(Person, order.person_id)
        question = Question(
            title="取消兑换",
            question=f"取消兑换单 #{order.id}（{reward.name if reward else ''}）？",
            button="确认取消并退分",
            expected=fingerprint("redemption.cancel", redemption_id, order.status, reason),
            facts=[
                f"退回 {order.cost} 积分给 {person.name if person and person.name else '这位居民'}，库存加回 1 件。",
                "会在微信里告诉这位居民。",
                f"原因：{reason}" if reason.strip() else "没有写原因。",
            ],
            danger=True,
        )
    if confirmed != question.expected:
        return ask(
            request,
            actor,
            session,
            question,
            action=f"/console/redemptions/{redemption_id}/cancel",
            back_to=HOME,
            fields={"reason": reason},
        )
    try:
        with session.begin():
            done = cancel_and_tell(session, redemption_id=redemption_id, reason=reason, now=now, by=actor.tag)
            audit(
                session,
                actor=actor,
                action="redemption.cancel",
                now=now,
                target=f"redemption:{redemption_id}",
            )
    except LookupError:
        return back(HOME, error="没有这笔兑换。")
    except RewardDeskError as exc:
        return back(HOME, error=REFUSED.get(exc.code, "没有取消，请刷新后再试。"))
    return back(HOME, ok=f"兑换单 #{redemption_id} 已取消，{done.cost} 积分已退回。")
