"""The 爱心屋 desk: edit an item, the pickups awaiting collection (paged), hand over, cancel and refund.

Handing over and cancelling are compare-and-sets on the order's status; the refund and the
returned unit go through :func:`models.rewards.cancel_redemption`, and the resident is told by
a push in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session, col

from models.base import by_id
from models.outbox import enqueue
from models.pages import PAGE_SIZE, paged
from models.people import Person
from models.rewards import Redemption, RedemptionStatus, Reward, cancel_redemption

REFUNDED_TEXT = "您兑换的「{name}」已取消，{cost} 积分已退回。{reason}"


class RewardDeskError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def edit_reward(
    session: Session, *, reward_id: int, name: str, cost: int, place: str, active: bool
) -> Reward:
    """New name, price in points, pickup place; ``active`` False takes it off the shelf."""
    reward = by_id(session, Reward, reward_id)
    if reward is None:
        raise LookupError(f"reward {reward_id} not found")
    name = name.strip()
    if not name:
        raise RewardDeskError("no_name")
    if cost < 1:
        raise RewardDeskError("cost")
    clash = select(Reward.id).where(col(Reward.name) == name, col(Reward.id) != reward.id)
    if session.execute(clash).first() is not None:
        raise RewardDeskError("name_taken")
    session.execute(
        update(Reward)
        .where(col(Reward.id) == reward.id)
        .values(name=name, cost=cost, place=place.strip(), active=active)
    )
    session.refresh(reward)
    return reward


@dataclass(frozen=True)
class Pickup:
    order: Redemption
    reward: str
    person: str
    phone: str


def pending_pickups(session: Session, *, page: int, size: int = PAGE_SIZE) -> tuple[list[Pickup], int]:
    """Orders awaiting collection, oldest first, one page counted and cut in the database."""
    query = (
        select(Redemption, Reward.name, Person.name, Person.phone)
        .join(Reward, col(Reward.id) == Redemption.reward_id)
        .join(Person, col(Person.id) == Redemption.person_id)
        .where(col(Redemption.status) == RedemptionStatus.pending)
        .order_by(col(Redemption.created_at), col(Redemption.id))
    )
    rows, total = paged(session, query, page=page, size=size)
    return [Pickup(o, reward, person or "（未留姓名）", phone) for o, reward, person, phone in rows], total


def collect(session: Session, *, redemption_id: int, now: datetime, by: str) -> Redemption:
    """Handed over at the desk: 待领取 → 已完成."""
    order = by_id(session, Redemption, redemption_id)
    if order is None:
        raise LookupError(f"redemption {redemption_id} not found")
    changed = session.execute(
        update(Redemption)
        .where(col(Redemption.id) == order.id, col(Redemption.status) == RedemptionStatus.pending)
        .values(status=RedemptionStatus.completed, closed_at=now, closed_by=by)
    )
    session.refresh(order)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise RewardDeskError(order.status.value)
    return order


def cancel_and_tell(
    session: Session, *, redemption_id: int, reason: str, now: datetime, by: str
) -> Redemption:
    """Cancel a pending order (unit back, points refunded once) and tell the resident."""
    order = by_id(session, Redemption, redemption_id)
    if order is None:
        raise LookupError(f"redemption {redemption_id} not found")
    if order.status != RedemptionStatus.pending:
        raise RewardDeskError(order.status.value)
    try:
        order = cancel_redemption(session, redemption_id=order.id, now=now, by=by)  # type: ignore[arg-type]
    except ValueError as exc:  # someone else closed it first
        session.refresh(order)
        raise RewardDeskError(order.status.value) from exc
    reward = session.get(Reward, order.reward_id)
    enqueue(
        session,
        idempotency_key=f"redemption:{order.id}:cancelled",
        person_id=order.person_id,
        kind="points",
        text=REFUNDED_TEXT.format(
            name=reward.name if reward else "",
            cost=order.cost,
            reason=f"原因：{reason.strip()}" if reason.strip() else "",
        ),
        now=now,
    )
    return order
