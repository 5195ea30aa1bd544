"""The demo history's 物业费 (``hgj demo seed``), made by ``models.fees`` as the office would.

On the last day of last month every flat is billed last month's and this month's 物业费 (1.50 元 a
square metre); most flats have paid last month's, some at the office, some by bank transfer. A
few flats with no resident on the books have not, so 收缴率 is believable (about 九成) and nobody
is sent a reminder by the seed; this month's bills are not due yet (「我还欠多少物业费」 in
``hgj chat`` shows them as such).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select

from models.base import month_of, previous_month
from models.community import Room
from models.fees import add_charge, record_payment
from models.people import Person
from models.points import month_start

if TYPE_CHECKING:
    from bot.demo import _History

ITEM = "物业费"
FEN_PER_M2 = 150  # 1.50 元/m² a month


def plan(history: _History) -> None:
    history.at(month_start(history.now) - timedelta(hours=6), lambda: _bill_and_collect(history))


def _bill_and_collect(history: _History) -> None:
    session, now = history.session, history.clock.now()
    this = month_of(history.now)
    last = previous_month(this)
    lived_in = set(session.exec(select(Person.room_id).where(col(Person.room_id).is_not(None))).all())
    for room in session.exec(select(Room).order_by(col(Room.id))).all():
        assert room.id is not None
        fen = max(round(room.area * FEN_PER_M2), 100)
        for period in (last, this):
            charge, _new = add_charge(
                session,
                room_id=room.id,
                item=ITEM,
                period=period,
                amount_fen=fen,
                due_on=None,
                created_by="demo",
                now=now,
            )
            if period == last and (room.id in lived_in or room.id % 6 != 0):
                assert charge.id is not None
                record_payment(
                    session,
                    charge_id=charge.id,
                    amount_fen=fen,
                    channel="bank" if room.id % 3 == 0 else "office",
                    reference=None,
                    paid_at=now,
                    recorded_by="demo",
                    now=now,
                )
