"""Time limits with the injected clock: pre-warning, escalation ladder (with catch-up), auto-close,
follow-up; every job is idempotent at the same ``now``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.outbox import OutboxMessage
from models.people import Person
from models.tickets import Ticket, TicketStatus
from scheduler import tickets as jobs
from tests.support.wechat import WeChatSim, WeComSim


def run(engine: Engine, job: str, clock: ManualClock) -> int:
    with Session(engine) as session, session.begin():
        return jobs.JOBS[job][1](session, now=clock.now())


def texts_to(engine: Engine, name: str, prefix: str) -> list[str]:
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.name == name)).one()
        rows = session.exec(
            select(OutboxMessage).where(OutboxMessage.person_id == person.id).order_by(col(OutboxMessage.id))
        )
        return [r.text for r in rows if r.text.startswith(prefix)]


def ticket(engine: Engine) -> Ticket:
    with Session(engine) as session:
        return session.exec(select(Ticket)).one()


def report_leak(wechat: WeChatSim) -> None:
    wechat.send("demo-resident-wang", "厨房水管漏水了")
    wechat.send("demo-resident-wang", "是")


def test_prewarning_before_the_limit_then_the_ladder(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    report_leak(wechat)  # 水电: 24 h, warned with 6 h left, a rung every 12 h once late
    clock.advance(hours=17)
    assert run(engine, "tickets.prewarn", clock) == 0
    clock.advance(hours=1)
    assert run(engine, "tickets.prewarn", clock) == 1
    assert run(engine, "tickets.prewarn", clock) == 0  # idempotent
    assert len(texts_to(engine, "王师傅", "【即将超时】R1001")) == 1
    assert run(engine, "tickets.escalate", clock) == 0
    clock.advance(hours=6)  # due now
    assert run(engine, "tickets.escalate", clock) == 1
    assert run(engine, "tickets.escalate", clock) == 0
    assert len(texts_to(engine, "陈红梅", "【超时督办】R1001")) == 1
    assert texts_to(engine, "孙丽", "【超时督办】") == []
    clock.advance(hours=12)
    run(engine, "tickets.escalate", clock)
    assert len(texts_to(engine, "孙丽", "【超时督办】R1001")) == 1  # grid worker of 3栋 (第二网格)
    assert ticket(engine).escalation_level == 2


def test_escalation_catches_up_after_downtime(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    report_leak(wechat)
    clock.advance(days=5)  # the scheduler was down: every rung is due at once, each told once
    assert run(engine, "tickets.escalate", clock) == 1
    assert run(engine, "tickets.escalate", clock) == 0
    for name in ("陈红梅", "孙丽", "赵经理", "周书记"):
        assert len(texts_to(engine, name, "【超时督办】R1001")) == 1, name
    assert ticket(engine).escalation_level == 4
    # A pre-warning that is already too late is not sent.
    assert run(engine, "tickets.prewarn", clock) == 0
    assert texts_to(engine, "王师傅", "【即将超时】") == []


def test_accepted_in_time_is_not_escalated(
    wechat: WeChatSim, wecom: WeComSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    report_leak(wechat)
    wecom.send("wx-wangshifu", "接单 R1001")
    wecom.send("wx-wangshifu", "完成 R1001 换了阀门")
    clock.advance(days=2)
    assert run(engine, "tickets.escalate", clock) == 0


def test_auto_close_after_48_hours_and_follow_up_days_later(
    wechat: WeChatSim, wecom: WeComSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    report_leak(wechat)
    wecom.send("wx-wangshifu", "接单 R1001")
    wecom.send("wx-wangshifu", "完成 R1001 换了阀门")
    clock.advance(hours=47)
    assert run(engine, "tickets.auto_close", clock) == 0
    clock.advance(hours=1)
    assert run(engine, "tickets.auto_close", clock) == 1
    assert run(engine, "tickets.auto_close", clock) == 0
    assert ticket(engine).status == TicketStatus.closed
    clock.advance(days=1)
    assert run(engine, "tickets.follow_up", clock) == 1
    assert run(engine, "tickets.follow_up", clock) == 0
    assert len(texts_to(engine, "王秀兰", "您好，R1001")) == 1
    # The answer is understood days later, outside any form.
    assert "谢谢您的反馈" in wechat.send("demo-resident-wang", "解决了")
    assert ticket(engine).resident_fixed is True
    assert "谢谢您的评价" in wechat.send("demo-resident-wang", "4")


def test_follow_up_answer_not_fixed_reopens(
    wechat: WeChatSim, wecom: WeComSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    report_leak(wechat)
    wecom.send("wx-wangshifu", "接单 R1001")
    wecom.send("wx-wangshifu", "完成 R1001 换了阀门")
    clock.advance(days=3)
    run(engine, "tickets.auto_close", clock)
    run(engine, "tickets.follow_up", clock)
    assert "已重新打开" in wechat.send("demo-resident-wang", "没修好")
    reopened = ticket(engine)
    assert reopened.status == TicketStatus.reopened
    assert reopened.due_at == clock.now() + timedelta(hours=24)  # a fresh time limit
