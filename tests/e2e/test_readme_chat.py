"""The chat lines README's Quick start suggests, in order, on the demo as `make run` loads it
(import, then `hgj demo seed`), on two dates far apart: the demo must be current on any day."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.demo import seed_demo
from bot.settings import Settings
from models.base import LOCAL_TZ
from models.outbox import OutboxMessage
from models.people import Person
from tests.conftest import ROOT
from tests.support.wechat import WeChatSim

NEWCOMER, STAFF = "newcomer-001", "demo-staff-wang"
FIRST_DAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # a Monday, 09:30 in Beijing
MUCH_LATER = datetime(2027, 12, 27, 16, 5, tzinfo=UTC)  # 400 days on, 00:05 in Beijing


@pytest.fixture(params=[FIRST_DAY, MUCH_LATER], ids=["first-day", "400-days-later-at-midnight"])
def clock(request: pytest.FixtureRequest) -> ManualClock:
    return ManualClock(request.param)


@pytest.fixture
def seeded(demo: None, engine: Engine, clock: ManualClock, settings: Settings) -> None:
    with Session(engine) as session, session.begin():
        assert seed_demo(session, now=clock.now(), rules=settings.tickets).seeded


def _readme_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    suggestions = quick_start.split("In the chat, try", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"「([^」]+)」", suggestions)


def _day(moment: datetime, days: int) -> str:
    local = moment.astimezone(LOCAL_TZ) + timedelta(days=days)
    return f"{local.month}月{local.day}日"


def test_every_quick_start_line_works_as_written(
    seeded: None, wechat: WeChatSim, clock: ManualClock, session: Session
) -> None:
    lines = _readme_lines()
    resident, staff = lines[: lines.index("我的任务")], lines[lines.index("我的任务") :]
    answered = [(line, wechat.send(NEWCOMER, line)) for line in resident]
    assert all(reply for _, reply in answered), answered
    replies = dict(answered)  # by line; 「是」 is said twice, so its answers are looked up in order
    yes = [reply for line, reply in answered if line == "是"]

    assert resident[:4] == ["你好", "我住2栋1单元402", "我家厨房水管漏水了", "是"]
    assert "您好" in replies["你好"] and "绑定" in replies["你好"]  # a newcomer is asked to bind
    assert "已收到您的登记" in replies["我住2栋1单元402"] and "2栋1单元402" in replies["我住2栋1单元402"]
    assert "请确认报修" in replies["我家厨房水管漏水了"] and "类别：水电" in replies["我家厨房水管漏水了"]
    filed = re.search(r"已登记报修单 (R\d{4})，已派给王师傅", yes[0])
    assert filed is not None, yes[0]
    code = filed.group(1)
    assert code in replies["我的报修"] and "已派单" in replies["我的报修"]
    assert "怎么解决" in replies["楼上天天半夜跺脚太吵了"]  # the mediation form asks what they want

    activities = replies["最近有什么志愿活动"]
    assert "近期志愿活动" in activities and "【1】社区义诊" in activities
    assert "名额已满，可报名候补" in activities and "还剩 10 个名额" in activities  # one full, one open
    assert resident[resident.index("报名 1") + 1] == "是"  # the sign-up is confirmed
    assert "确认报名" in replies["报名 1"] and "社区义诊" in replies["报名 1"]
    assert "报名成功" in yes[1] and "社区义诊" in yes[1]

    assert "您现在有 0 积分" in replies["我的积分"]
    assert "幸福食堂午餐券" in replies["爱心屋"] and "剩 99 份" in replies["爱心屋"]  # one was redeemed
    assert "第九百四十四条" in replies["物业费可以拖欠吗"]
    assert "停水通知" in replies["最近通知"] and f"{_day(clock.now(), 1)} 9:00-12:00" in replies["最近通知"]
    assert "P1「小区增设电动自行车充电桩」投票中" in replies["最近有什么议题"]
    assert "网格员刘志强" in replies["转人工"]
    assert "不用联系您了" in replies["算了不用了"]  # stopping right after 「转人工」 withdraws the hand-off
    assert "已取消「纠纷调解」" in replies["取消"]  # the dispute put aside by the questions above

    assert staff == ["我的任务", f"接单 {code}", f"完成 {code} 已更换水管"], (
        f"README's staff lines should name {code}, the repair filed above"
    )
    tasks = wechat.send(STAFF, staff[0])
    assert code in tasks and "处理中" in tasks and tasks.count("· ") == 4  # and his three of the history
    assert f"已接单 {code}" in wechat.send(STAFF, staff[1])
    assert f"已完成 {code}" in wechat.send(STAFF, staff[2])
    session.rollback()
    newcomer = session.exec(select(Person).where(Person.openid == NEWCOMER)).one()
    pushes = session.exec(
        select(OutboxMessage.text)
        .where(OutboxMessage.person_id == newcomer.id)
        .order_by(col(OutboxMessage.id))
    ).all()
    assert any(f"{code} 已处理完成：已更换水管" in text for text in pushes)
