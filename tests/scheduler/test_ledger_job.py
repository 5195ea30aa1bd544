"""The monthly 三公开 job: last month's ledger goes to every building group once, from the 1st."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.ledger import EntryInput, add_entries
from models.outbox import OutboxMessage
from scheduler.notices import publish_monthly_ledger


def _run(engine: Engine, clock: ManualClock) -> int:
    with Session(engine) as s, s.begin():
        return publish_monthly_ledger(s, now=clock.now())


def test_last_month_is_published_on_the_first_once(
    engine: Engine, session: Session, clock: ManualClock, demo: None
) -> None:
    with Session(engine) as s, s.begin():
        add_entries(
            s,
            items=[
                EntryInput("2026-11", "收入", "停车费", 1_000_00),
                EntryInput("2026-11", "支出", "维修资金使用", 200_00, note="单元门维修", building="5"),
            ],
            created_by="test",
            now=clock.now(),
        )
    assert _run(engine, clock) == 0  # November's own ledger is not pushed in November (nothing in October)
    clock.set(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # 1 Dec 07:00 in Beijing: too early
    assert _run(engine, clock) == 0
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # 09:00
    assert _run(engine, clock) == 4
    assert _run(engine, clock) == 0
    clock.set(datetime(2026, 12, 9, 1, 0, tzinfo=UTC))  # catching up later in the month changes nothing
    assert _run(engine, clock) == 0
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ledger")).all()
    assert len(rows) == 4 and all("2026年11月收支公开" in r.text for r in rows)
    assert sum("单元门维修" in r.text for r in rows) == 1  # only building 5's group sees its own expense


def test_a_missed_first_of_the_month_is_caught_up(
    engine: Engine, session: Session, clock: ManualClock, demo: None
) -> None:
    with Session(engine) as s, s.begin():
        add_entries(
            s, items=[EntryInput("2026-11", "收入", "广告收入", 50_00)], created_by="t", now=clock.now()
        )
    clock.set(datetime(2026, 12, 3, 4, 0, tzinfo=UTC))  # the scheduler was down on the 1st and 2nd
    assert _run(engine, clock) == 4
