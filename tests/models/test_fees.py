"""Fees on the books: a bad bills file stores nothing and names its lines; a 减免 needs a reason and an
approver and lowers what is owed and what is billed; an online channel's retry is one payment."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.fee_import import import_charges
from models.fee_stats import collection
from models.fees import FeeCharge, FeeError, owed_rows, record_payment, reduce_charge, statement


def test_a_bad_line_refuses_the_whole_file_naming_each_problem(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    text = (
        "building,unit,room,item,period,amount_yuan\n"
        "3,2,502,物业费,2026-10,180\n"
        "3,2,999,物业费,2026-10,180\n"
        "3,2,502,停车费,2026-13,150\n"
        "3,2,502,停车费,2026-11,-5\n"
    )
    with pytest.raises(FeeError) as refused, Session(engine) as session, session.begin():
        import_charges(session, text=text, created_by="test", now=clock.now())
    problems = refused.value.problems
    assert [p[:4] for p in problems] == ["第3行：", "第4行：", "第5行："]
    assert "找不到房屋" in problems[0] and "2026-13" in problems[1] and "大于 0" in problems[2]
    with Session(engine) as session:
        assert session.exec(select(FeeCharge)).all() == []


def test_a_reduction_lowers_what_is_owed_and_billed_and_a_channel_retry_is_one_payment(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    bills = "building,unit,room,item,period,amount_yuan\n3,2,502,物业费,2026-10,200\n"
    with Session(engine) as session, session.begin():
        import_charges(session, text=bills, created_by="test", now=clock.now())
        charge = session.exec(select(FeeCharge)).one()
        assert charge.id is not None and charge.due_on == date(2026, 10, 31)
        with pytest.raises(FeeError):
            reduce_charge(
                session,
                charge_id=charge.id,
                amount_fen=5000,
                reason=" ",
                approved_by="周书记",
                now=clock.now(),
            )
        reduce_charge(
            session,
            charge_id=charge.id,
            amount_fen=5000,
            reason="低保户，居委会核实",
            approved_by="周书记",
            now=clock.now(),
        )
        for _ in range(2):  # the payment channel tells us twice
            record_payment(
                session,
                charge_id=charge.id,
                amount_fen=10000,
                channel="wechat_pay",
                reference="4200001234",
                paid_at=clock.now(),
                recorded_by="wechat_pay",
                now=clock.now(),
            )
        owed = owed_rows(session, charge_ids=[charge.id])[0]
        assert (owed.paid, owed.waived, owed.outstanding) == (10000, 5000, 5000)
        with pytest.raises(FeeError) as too_much:
            record_payment(
                session,
                charge_id=charge.id,
                amount_fen=5001,
                channel="office",
                reference=None,
                paid_at=clock.now(),
                recorded_by="test",
                now=clock.now(),
            )
        assert too_much.value.reason == "overpaid"
        total, _rows = collection(session, now=clock.now())
        assert (total.billed_fen, total.collected_fen, total.rate) == (15000, 10000, 0.6667)
        flat = statement(session, room_id=charge.room_id, now=clock.now())
        assert flat.total_owed == 5000 and flat.paid_through == {}
