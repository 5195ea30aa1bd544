"""The monthly service report goes to the office once, with last month's figures."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.outbox import OutboxMessage
from models.people import Person
from scheduler.reports import monthly_report
from tests.support.wechat import WeChatSim


def test_last_months_figures_reach_the_office_once(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    wechat.send("demo-resident-wang", "我家卫生间天花板渗水")
    wechat.send("demo-resident-wang", "是")
    clock.set(datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # 08:30 in Beijing: too early
    with Session(engine) as session, session.begin():
        assert monthly_report(session, now=clock.now()) == 0
    clock.set(datetime(2026, 12, 1, 1, 30, tzinfo=UTC))  # 09:30
    with Session(engine) as session, session.begin():
        assert monthly_report(session, now=clock.now()) == 2  # the admin and the secretary
        assert monthly_report(session, now=clock.now()) == 0  # once
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage, Person).join(Person).where(OutboxMessage.kind == "report")
        ).all()
    assert {person.name for _, person in rows} == {"吴小燕", "周书记"}
    assert all(message.text.startswith("【2026-11 服务月报】工单 1 件") for message, _ in rows)


def test_a_month_without_work_orders_sends_nothing(demo: None, engine: Engine, clock: ManualClock) -> None:
    clock.set(datetime(2026, 12, 1, 1, 30, tzinfo=UTC))
    with Session(engine) as session, session.begin():
        assert monthly_report(session, now=clock.now()) == 0
