"""Rewards, redemption orders (pickup by code, cancel with refund) and the points ledger per person."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import Field
from sqlmodel import col, select

from bot.api.deps import (
    AdminActor,
    DeskActor,
    Everyone,
    NowDep,
    OfficeActor,
    ReadSessionDep,
    SessionDep,
    person_or_404,
    require,
)
from bot.api.limits import MAX_INT, Count, Input, Key, RowId
from bot.api.paging import PageDep, fetch, listing
from models.access import Actor, ApiRole, audit
from models.points import balance, correct, history
from models.rewards import (
    Redemption,
    RedemptionStatus,
    Reward,
    RewardCategory,
    StockOverflow,
    cancel_redemption,
    create_reward,
    pick_up,
    restock,
)

router = APIRouter(tags=["rewards"])
PickupActor = Annotated[Actor, Depends(require(ApiRole.admin, ApiRole.staff))]


class RewardCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    cost: RowId  # 1 .. MAX_INT points
    stock: Count
    category: RewardCategory = RewardCategory.goods
    place: str = ""


class Restock(Input):
    add: RowId  # 1 .. MAX_INT; the stock itself never passes MAX_INT


class Pickup(Input):
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]


class Correction(Input):
    openid: Key
    amount: Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]  # positive or negative, never zero
    reason: Annotated[str, Field(min_length=1, max_length=200)]


def _order(order: Redemption) -> dict[str, Any]:
    return order.model_dump(mode="json")


@router.post("/rewards", status_code=status.HTTP_201_CREATED)
def post_reward(body: RewardCreate, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    with session.begin():
        try:
            reward = create_reward(
                session,
                name=body.name,
                cost=body.cost,
                stock=body.stock,
                category=body.category,
                place=body.place,
                now=now,
            )
        except ValueError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
        audit(session, actor=admin, action="reward.create", now=now, target=f"reward:{reward.id}")
        return {"id": reward.id}


@router.get("/rewards")
def list_rewards(
    request: Request, response: Response, session: ReadSessionDep, _actor: Everyone, page: PageDep
) -> dict[str, Any]:
    rows, total = fetch(session, select(Reward).order_by(col(Reward.id)), page)
    return listing(request, response, page, [r.model_dump(mode="json") for r in rows], total)


@router.post("/rewards/{reward_id}/restock")
def post_restock(
    reward_id: RowId, body: Restock, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    with session.begin():
        try:
            reward = restock(session, reward_id=reward_id, add=body.add)
        except LookupError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
        except StockOverflow as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
        audit(
            session, actor=admin, action="reward.restock", now=now, target=f"reward:{reward_id}", add=body.add
        )
        return {"id": reward.id, "stock": reward.stock}


@router.get("/redemptions")
def list_redemptions(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _desk: DeskActor,
    page: PageDep,
    status_: Annotated[RedemptionStatus | None, Query(alias="status")] = None,
) -> dict[str, Any]:
    query = select(Redemption).order_by(col(Redemption.id))
    if status_:
        query = query.where(Redemption.status == status_)
    rows, total = fetch(session, query, page)
    return listing(request, response, page, [_order(o) for o in rows], total)


@router.post("/redemptions/pickup")
def post_pickup(body: Pickup, session: SessionDep, desk: PickupActor, now: NowDep) -> dict[str, Any]:
    """Hand the reward over against its pickup code: 待领取 → 已完成 (admins and property staff)."""
    try:
        with session.begin():
            order = pick_up(session, code=body.code, now=now, by=desk.tag)
            audit(session, actor=desk, action="redemption.pickup", now=now, target=f"redemption:{order.id}")
            return _order(order)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc


@router.post("/redemptions/{redemption_id}/cancel")
def post_cancel(redemption_id: RowId, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    try:
        with session.begin():
            order = cancel_redemption(session, redemption_id=redemption_id, now=now, by=admin.tag)
            audit(
                session,
                actor=admin,
                action="redemption.cancel",
                now=now,
                target=f"redemption:{redemption_id}",
            )
            return _order(order)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc


@router.get("/points/{openid}")
def get_points(openid: Key, session: ReadSessionDep, _office: OfficeActor) -> dict[str, Any]:
    person = person_or_404(session, openid)
    entries = [e.model_dump(mode="json") for e in history(session, person_id=person.id, limit=100)]  # type: ignore[arg-type]
    return {"openid": openid, "balance": balance(session, person_id=person.id), "entries": entries}  # type: ignore[arg-type]


@router.post("/points/corrections", status_code=status.HTTP_201_CREATED)
def post_correction(body: Correction, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    """A compensating entry with a reason; old entries are never edited."""
    try:
        with session.begin():
            person = person_or_404(session, body.openid)
            entry = correct(
                session,
                person_id=person.id,
                amount=body.amount,
                reason=body.reason,
                operator=admin.tag,
                now=now,
            )  # type: ignore[arg-type]
            audit(
                session,
                actor=admin,
                action="points.correct",
                now=now,
                target=f"person:{person.id}",
                amount=body.amount,
                reason=body.reason,
            )
            return {"id": entry.id, "balance": balance(session, person_id=person.id)}  # type: ignore[arg-type]
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail=str(exc)) from exc
