"""收缴率: what was collected of what was billed, for charges already due, per building and month.

Billed is the charges' amounts less their 减免 (a waived sum is owed by nobody); collected is
what was paid on them. Charges not yet due count nowhere, so a bill sent today does not lower the
rate before anyone could pay it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.community import Building, Room
from models.fees import FeeCharge, local_day, owed_rows
from models.stats_breakdown import ratio


@dataclass
class Collection:
    building: str  # the building's number; "" for the community's total
    period: str  # the billing month; "" for all months
    billed_fen: int = 0
    collected_fen: int = 0

    @property
    def rate(self) -> float | None:
        return ratio(self.collected_fen, self.billed_fen)

    def as_json(self) -> dict[str, object]:
        return {
            "building": self.building,
            "period": self.period,
            "billed_fen": self.billed_fen,
            "collected_fen": self.collected_fen,
            "collection_rate": self.rate,
        }


def collection(
    session: Session, *, now: datetime, period: str | None = None, building_ids: list[int] | None = None
) -> tuple[Collection, list[Collection]]:
    """The total and the (building, month) rows of charges due by today, oldest month first."""
    today = local_day(now)
    query = (
        select(FeeCharge.id, Building.number)
        .join(Room, col(Room.id) == FeeCharge.room_id)
        .join(Building, col(Building.id) == Room.building_id)
        .where(col(FeeCharge.due_on) <= today)
    )
    if period:
        query = query.where(FeeCharge.period == period)
    if building_ids is not None:
        query = query.where(col(Building.id).in_(building_ids))
    numbers = {charge_id: number for charge_id, number in session.exec(query)}
    total = Collection("", period or "")
    rows: dict[tuple[str, str], Collection] = {}
    for owed in owed_rows(session, charge_ids=sorted(numbers)) if numbers else []:
        key = (numbers[owed.charge.id], owed.charge.period)  # type: ignore[index]
        row = rows.setdefault(key, Collection(*key))
        for figures in (row, total):
            figures.billed_fen += owed.charge.amount_fen - owed.waived
            figures.collected_fen += owed.paid
    ordered = sorted(rows.values(), key=lambda r: (r.period, _natural(r.building)))
    return total, ordered


def _natural(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (10**9, number)
