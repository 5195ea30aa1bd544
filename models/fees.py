"""物业收费: what each flat is billed (物业费, 停车费 …), what it paid, and what was waived.

A charge is one item of one flat for one billing month (``period``), due on ``due_on``; the pair
(room, item, period) is unique, so importing the same bill twice adds nothing. A payment is
recorded against a charge by the office (cash, bank transfer) or, later, an online channel
(``channel``; ``reference`` makes a channel's retry of the same payment a no-op). A reduction
(减免) waives part of a charge for hardship, with its reason and who approved it. What a charge
still owes is derived: amount − paid − waived; nothing may push it below zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import LOCAL_TZ, utc_field
from models.community import Building, Room, find_room, room_label
from models.ledger import MONTH_PATTERN, yuan

MONTH = re.compile(MONTH_PATTERN)
CHANNELS = ("office", "cash", "bank", "wechat_pay", "alipay")  # office = recorded at the 物业服务中心
CHANNEL_NAMES = {
    "office": "物业前台",
    "cash": "现金",
    "bank": "银行转账",
    "wechat_pay": "微信支付",
    "alipay": "支付宝",
}
MAX_ITEM = 20
MAX_REASON = 200


class FeeCharge(SQLModel, table=True):
    """One item billed to one flat for one month."""

    __tablename__ = "fee_charge"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("room_id", "item", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(foreign_key="room.id", index=True)
    item: str = Field(max_length=MAX_ITEM)  # 物业费, 停车费 …
    period: str = Field(max_length=7, index=True)  # the billing month, 2026-10
    amount_fen: int
    due_on: date
    created_by: str = Field(default="", max_length=100)
    created_at: datetime = utc_field()


class FeePayment(SQLModel, table=True):
    """Money received against a charge, by any channel."""

    __tablename__ = "fee_payment"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("channel", "reference"),)
    id: int | None = Field(default=None, primary_key=True)
    charge_id: int = Field(foreign_key="fee_charge.id", index=True)
    amount_fen: int
    channel: str = Field(default="office", max_length=20)
    reference: str | None = Field(default=None, max_length=64)  # the channel's own id; None for none
    paid_at: datetime = utc_field()
    recorded_by: str = Field(default="", max_length=100)
    created_at: datetime = utc_field()


class FeeReduction(SQLModel, table=True):
    """减免: part of a charge waived for hardship, with why and who approved it."""

    __tablename__ = "fee_reduction"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    charge_id: int = Field(foreign_key="fee_charge.id", index=True)
    amount_fen: int
    reason: str = Field(max_length=MAX_REASON)
    approved_by: str = Field(max_length=100)
    created_at: datetime = utc_field()


class FeeError(ValueError):
    """A bill, payment or reduction refused; ``problems`` are sentences for the office."""

    def __init__(self, problems: list[str], reason: str = "invalid") -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.reason = reason


@dataclass(frozen=True)
class Owed:
    """One charge with what is paid and waived on it."""

    charge: FeeCharge
    paid: int
    waived: int

    @property
    def outstanding(self) -> int:
        return self.charge.amount_fen - self.paid - self.waived


def month_end(period: str) -> date:
    """The last day of ``period`` (2026-02 → 2026-02-28): a bill's default due date."""
    first = date(int(period[:4]), int(period[5:]), 1)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def local_day(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def _paid() -> Any:
    return (
        select(FeePayment.charge_id, func.sum(FeePayment.amount_fen).label("paid"))
        .group_by(col(FeePayment.charge_id))
        .subquery()
    )


def _waived() -> Any:
    return (
        select(FeeReduction.charge_id, func.sum(FeeReduction.amount_fen).label("waived"))
        .group_by(col(FeeReduction.charge_id))
        .subquery()
    )


def owed_rows(
    session: Session, *, room_ids: list[int] | None = None, charge_ids: list[int] | None = None
) -> list[Owed]:
    """Charges (of ``room_ids`` or ``charge_ids`` if given) with their paid and waived sums."""
    paid, waived = _paid(), _waived()
    query = (
        select(FeeCharge, func.coalesce(paid.c.paid, 0), func.coalesce(waived.c.waived, 0))
        .outerjoin(paid, paid.c.charge_id == FeeCharge.id)
        .outerjoin(waived, waived.c.charge_id == FeeCharge.id)
    )
    if room_ids is not None:
        query = query.where(col(FeeCharge.room_id).in_(room_ids))
    if charge_ids is not None:
        query = query.where(col(FeeCharge.id).in_(charge_ids))
    rows = session.exec(query.order_by(col(FeeCharge.period), col(FeeCharge.item), col(FeeCharge.id)))
    return [Owed(charge, int(p), int(w)) for charge, p, w in rows]


def add_charge(
    session: Session,
    *,
    room_id: int,
    item: str,
    period: str,
    amount_fen: int,
    due_on: date | None,
    created_by: str,
    now: datetime,
) -> tuple[FeeCharge, bool]:
    """The charge and whether it is new: a flat already billed this item for this period keeps
    its bill (a re-import adds nothing)."""
    problems = _charge_problems(item, period, amount_fen)
    if session.get(Room, room_id) is None:
        problems.append(f"没有编号为 {room_id} 的房屋")
    if problems:
        raise FeeError(problems)
    item = item.strip()
    same = select(FeeCharge).where(
        FeeCharge.room_id == room_id, FeeCharge.item == item, FeeCharge.period == period
    )
    if (known := session.exec(same).first()) is not None:
        return known, False
    charge = FeeCharge(
        room_id=room_id,
        item=item,
        period=period,
        amount_fen=amount_fen,
        due_on=due_on or month_end(period),
        created_by=created_by,
        created_at=now,
    )
    session.add(charge)
    session.flush()
    return charge, True


def _charge_problems(item: str, period: str, amount_fen: int) -> list[str]:
    problems = []
    if not item.strip() or len(item.strip()) > MAX_ITEM:
        problems.append(f"收费项目应为 1–{MAX_ITEM} 个字（如「物业费」「停车费」）")
    if not MONTH.match(period):
        problems.append(f"账期「{period[:20]}」应为年-月，如 2026-10")
    if amount_fen <= 0:
        problems.append("金额必须大于 0")
    return problems


def _lock(session: Session, charge_id: int) -> Owed:
    """The charge, locked against a simultaneous payment or reduction (PostgreSQL row lock)."""
    locked = session.exec(select(FeeCharge).where(FeeCharge.id == charge_id).with_for_update()).first()
    if locked is None:
        raise FeeError([f"没有编号为 {charge_id} 的收费"], reason="not_found")
    return owed_rows(session, charge_ids=[charge_id])[0]


def record_payment(
    session: Session,
    *,
    charge_id: int,
    amount_fen: int,
    channel: str,
    reference: str | None,
    paid_at: datetime,
    recorded_by: str,
    now: datetime,
) -> tuple[FeePayment, bool]:
    """A payment against a charge, and whether it is new: the same (channel, reference) again
    returns the first one (a channel's retry, a file uploaded twice)."""
    if channel not in CHANNELS:
        raise FeeError([f"缴费渠道应为 {'、'.join(CHANNELS)} 之一"])
    reference = (reference or "").strip() or None
    if reference is not None:
        known = select(FeePayment).where(FeePayment.channel == channel, FeePayment.reference == reference)
        if (found := session.exec(known).first()) is not None:
            return found, False
    owed = _lock(session, charge_id)
    if amount_fen <= 0 or amount_fen > owed.outstanding:
        raise FeeError(
            [f"这笔收费还欠 {yuan(owed.outstanding)}，缴费金额应大于 0 且不超过它"], reason="overpaid"
        )
    payment = FeePayment(
        charge_id=charge_id,
        amount_fen=amount_fen,
        channel=channel,
        reference=reference,
        paid_at=paid_at,
        recorded_by=recorded_by,
        created_at=now,
    )
    session.add(payment)
    session.flush()
    return payment, True


def reduce_charge(
    session: Session, *, charge_id: int, amount_fen: int, reason: str, approved_by: str, now: datetime
) -> FeeReduction:
    """减免 part of a charge: a reason and an approver are required; never more than is owed."""
    problems = []
    if not reason.strip() or len(reason) > MAX_REASON:
        problems.append(f"减免要写明原因（不超过 {MAX_REASON} 字）")
    if not approved_by.strip() or len(approved_by) > 100:
        problems.append("减免要写明批准人")
    if problems:
        raise FeeError(problems)
    owed = _lock(session, charge_id)
    if amount_fen <= 0 or amount_fen > owed.outstanding:
        raise FeeError(
            [f"这笔收费还欠 {yuan(owed.outstanding)}，减免金额应大于 0 且不超过它"], reason="overpaid"
        )
    reduction = FeeReduction(
        charge_id=charge_id,
        amount_fen=amount_fen,
        reason=reason.strip(),
        approved_by=approved_by.strip(),
        created_at=now,
    )
    session.add(reduction)
    session.flush()
    return reduction


def charge_at(
    session: Session, *, building: str, unit: str, room: str, item: str, period: str
) -> FeeCharge | None:
    """The charge of the flat at this address for ``item`` and ``period``, if billed."""
    found = find_room(session, building=building, unit=unit, room=room)
    if found is None:
        return None
    query = select(FeeCharge).where(
        FeeCharge.room_id == found[1].id, FeeCharge.item == item.strip(), FeeCharge.period == period
    )
    return session.exec(query).first()


@dataclass(frozen=True)
class FlatStatement:
    """What a flat owes now and how far each item is paid (for chat and reminders)."""

    label: str
    owing: list[Owed]  # due and not settled, oldest first
    paid_through: dict[str, str]  # item → the last period settled with no earlier gap
    not_yet_due: int  # fen billed but not due yet

    @property
    def total_owed(self) -> int:
        return sum(o.outstanding for o in self.owing)


def statement(session: Session, *, room_id: int, now: datetime) -> FlatStatement:
    room = session.get(Room, room_id)
    assert room is not None
    building = session.get(Building, room.building_id)
    assert building is not None
    today = local_day(now)
    owing, paid_through, broken, not_due = [], {}, set(), 0
    for owed in owed_rows(session, room_ids=[room_id]):
        item = owed.charge.item
        if owed.outstanding <= 0:
            if item not in broken:
                paid_through[item] = owed.charge.period
            continue
        broken.add(item)
        if owed.charge.due_on <= today:
            owing.append(owed)
        else:
            not_due += owed.outstanding
    return FlatStatement(room_label(building, room), owing, paid_through, not_due)
