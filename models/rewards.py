"""Rewards (爱心屋 goods, 幸福食堂 meals, partner services) and redemptions with a pickup code.

A redemption takes one unit of stock (``UPDATE ... WHERE stock >= 1``) and debits the points
(lock row + one check-and-insert statement) inside a savepoint: either both happen or neither.
An order is 待领取 (pending) → 已完成 (completed) when an admin marks the pickup code, or
已取消 (cancelled) with the stock returned and the points refunded by a compensating entry.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlmodel import Field, Session, SQLModel, col

from models.base import MAX_INT, by_id, enum_field, utc_field
from models.points import PointSource, credit, debit


class RewardCategory(StrEnum):
    goods = "goods"  # 爱心屋
    meal = "meal"  # 幸福食堂
    service = "service"  # partner shops and services


CATEGORY_NAMES = {
    RewardCategory.goods: "爱心屋",
    RewardCategory.meal: "幸福食堂",
    RewardCategory.service: "合作商家",
}


class Reward(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    category: RewardCategory = enum_field(RewardCategory, RewardCategory.goods)
    cost: int  # points
    stock: int  # units left; never below zero
    place: str = ""  # where to pick it up
    active: bool = True
    created_at: datetime = utc_field()


class RedemptionStatus(StrEnum):
    pending = "pending"  # 待领取
    completed = "completed"  # 已完成
    cancelled = "cancelled"  # 已取消


STATUS_NAMES = {
    RedemptionStatus.pending: "待领取",
    RedemptionStatus.completed: "已完成",
    RedemptionStatus.cancelled: "已取消",
}


class Redemption(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    reward_id: int = Field(foreign_key="reward.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    cost: int
    pickup_code: str = Field(unique=True, max_length=16)
    status: RedemptionStatus = enum_field(RedemptionStatus, RedemptionStatus.pending, index=True)
    created_at: datetime = utc_field()
    closed_at: datetime | None = utc_field(nullable=True)
    closed_by: str = ""


def create_reward(
    session: Session,
    *,
    name: str,
    cost: int,
    stock: int,
    now: datetime,
    category: RewardCategory = RewardCategory.goods,
    place: str = "",
) -> Reward:
    if not name.strip():
        raise ValueError("a reward needs a name")
    if cost < 1:
        raise ValueError("cost must be at least 1 point")
    if stock < 0:
        raise ValueError("stock cannot be negative")
    if session.execute(select(Reward.id).where(col(Reward.name) == name.strip())).first():
        raise ValueError(f"a reward named {name.strip()!r} already exists")
    reward = Reward(name=name.strip(), cost=cost, stock=stock, category=category, place=place, created_at=now)
    session.add(reward)
    session.flush()
    return reward


class StockOverflow(ValueError):
    """A restock that would take the stock past what the column holds (SQLite made it a float)."""


def restock(session: Session, *, reward_id: int, add: int) -> Reward:
    """Add ``add`` units in one statement; the stock never passes ``MAX_INT``."""
    if not 1 <= add <= MAX_INT:
        raise StockOverflow(f"add between 1 and {MAX_INT} units")
    reward = by_id(session, Reward, reward_id)
    if reward is None:
        raise LookupError(f"reward {reward_id} not found")
    result = session.execute(
        update(Reward)
        .where(col(Reward.id) == reward.id, col(Reward.stock) <= MAX_INT - add)
        .values(stock=Reward.stock + add)
    )
    session.refresh(reward)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StockOverflow(f"a stock of {reward.stock} plus {add} would pass the limit of {MAX_INT}")
    return reward


def catalogue(session: Session) -> list[Reward]:
    query = (
        select(Reward)
        .where(col(Reward.active).is_(True))
        .order_by(col(Reward.category), col(Reward.cost), col(Reward.id))
    )
    return list(session.execute(query).scalars())


def find_reward(session: Session, *, text: str) -> Reward | None:
    """A reward by its number in the catalogue (id) or a name the text contains / is contained in."""
    text = text.strip()
    if text.isdigit():
        reward = by_id(session, Reward, text)
        return reward if reward and reward.active else None
    if not text:
        return None
    rewards = catalogue(session)
    exact = [r for r in rewards if r.name == text]
    partial = [r for r in rewards if r.name in text or text in r.name]
    found = exact or partial
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class RedeemResult:
    outcome: str  # ordered | out_of_stock | insufficient | not_found
    reward: Reward | None = None
    redemption: Redemption | None = None


def _new_code(session: Session) -> str:
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if session.execute(select(Redemption.id).where(col(Redemption.pickup_code) == code)).first() is None:
            return code


def redeem(
    session: Session, *, reward_id: int, person_id: int, now: datetime, operator: str = ""
) -> RedeemResult:
    """Take one unit and debit the points atomically; neither stock nor balance goes negative."""
    reward = session.get(Reward, reward_id)
    if reward is None or not reward.active:
        return RedeemResult("not_found")
    savepoint = session.begin_nested()
    taken = session.execute(
        update(Reward)
        .where(col(Reward.id) == reward_id, col(Reward.stock) >= 1)
        .values(stock=Reward.stock - 1)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        savepoint.rollback()
        return RedeemResult("out_of_stock", reward)
    order = Redemption(
        reward_id=reward_id,
        person_id=person_id,
        cost=reward.cost,
        pickup_code=_new_code(session),
        created_at=now,
    )
    session.add(order)
    session.flush()
    paid = debit(
        session,
        person_id=person_id,
        cost=reward.cost,
        reason=f"兑换「{reward.name}」",
        source=PointSource.redemption,
        source_ref=f"redemption:{order.id}",
        operator=operator or "system",
        idempotency_key=f"redemption:{order.id}:debit",
        now=now,
    )
    if not paid:
        savepoint.rollback()  # the order and the stock unit go away with it
        return RedeemResult("insufficient", reward)
    savepoint.commit()
    session.refresh(reward)
    return RedeemResult("ordered", reward, order)


def cancel_redemption(
    session: Session, *, redemption_id: int, now: datetime, by: str, person_id: int | None = None
) -> Redemption:
    """Cancel a pending order: stock back, points refunded (once). ``person_id`` limits it to the owner."""
    order = session.get(Redemption, redemption_id)
    if order is None or (person_id is not None and order.person_id != person_id):
        raise LookupError(f"redemption {redemption_id} not found")
    result = session.execute(
        update(Redemption)
        .where(col(Redemption.id) == redemption_id, col(Redemption.status) == RedemptionStatus.pending)
        .values(status=RedemptionStatus.cancelled, closed_at=now, closed_by=by)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ValueError(f"redemption {redemption_id} is already {STATUS_NAMES[order.status]}")
    session.execute(update(Reward).where(col(Reward.id) == order.reward_id).values(stock=Reward.stock + 1))
    reward = session.get(Reward, order.reward_id)
    credit(
        session,
        person_id=order.person_id,
        amount=order.cost,
        reason=f"取消兑换「{reward.name if reward else ''}」退回",
        source=PointSource.redemption,
        source_ref=f"redemption:{order.id}",
        operator=by,
        idempotency_key=f"redemption:{order.id}:refund",
        now=now,
    )
    session.refresh(order)
    return order


def pick_up(session: Session, *, code: str, now: datetime, by: str) -> Redemption:
    """An admin hands the reward over against its pickup code: 待领取 → 已完成."""
    order = (
        session.execute(select(Redemption).where(col(Redemption.pickup_code) == code.strip()))
        .scalars()
        .first()
    )
    if order is None:
        raise LookupError(f"no order with pickup code {code}")
    result = session.execute(
        update(Redemption)
        .where(col(Redemption.id) == order.id, col(Redemption.status) == RedemptionStatus.pending)
        .values(status=RedemptionStatus.completed, closed_at=now, closed_by=by)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ValueError(f"order {order.id} is already {STATUS_NAMES[order.status]}")
    session.refresh(order)
    return order


def orders_of(
    session: Session, *, person_id: int, pending_only: bool = False, limit: int = 10
) -> list[tuple[Redemption, Reward]]:
    query = (
        select(Redemption, Reward)
        .join(Reward, col(Reward.id) == Redemption.reward_id)
        .where(col(Redemption.person_id) == person_id)
        .order_by(col(Redemption.created_at).desc(), col(Redemption.id).desc())
        .limit(limit)
    )
    if pending_only:
        query = query.where(col(Redemption.status) == RedemptionStatus.pending)
    return [(o, r) for o, r in session.execute(query).all()]
