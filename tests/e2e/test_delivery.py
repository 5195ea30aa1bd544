"""Whole journeys down to WeChat's wire: the real app, the real scheduler on the injected clock,
the delivery worker, and a local fake of WeChat/WeCom recording what each person receives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.outbound.worker import DeliveryWorker
from models.community import Building, Room
from models.people import Person
from scheduler.runner import SchedulerRunner
from tests.support.fake_wechat import FakeWeChat
from tests.support.outbox import deliver_all
from tests.support.wechat import WeChatSim, WeComSim


@pytest.fixture
def runner(engine: Engine, clock: ManualClock) -> Iterator[SchedulerRunner]:
    """The project's real jobs, driven by ``tick(now)``."""
    active = SchedulerRunner(engine=engine, clock=clock)
    active.jobstore.remove_all_jobs()  # the job table outlives PostgreSQL test truncation
    active.sync_jobs(clock.now())
    yield active
    active.stop()


def _people_living_in(engine: Engine, numbers: set[str]) -> set[str]:
    """How WeChat addresses everyone whose home is in those buildings (WeCom id, else openid)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Person)
            .join(Room, col(Person.room_id) == Room.id)
            .join(Building, col(Room.building_id) == Building.id)
            .where(col(Building.number).in_(numbers))
        ).all()
    return {p.wecom_userid or p.openid or "" for p in rows}


def test_a_notice_scheduled_for_buildings_3_and_5_reaches_exactly_them(
    wechat: WeChatSim,
    demo: None,
    engine: Engine,
    clock: ManualClock,
    admin_headers: dict[str, str],
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    runner: SchedulerRunner,
) -> None:
    notice = {
        "title": "停水通知",
        "body": "因管道检修，明天 9:00-12:00 停水，请提前储水。",
        "category": "停水停电",
        "audience": {"buildings": ["3", "5"]},
        "publish_at": (clock.now() + timedelta(minutes=1)).isoformat(),
    }
    created = wechat.client.post("/api/v1/notices", json=notice, headers=admin_headers)
    assert created.status_code == 201 and created.json()["status"] == "scheduled"

    runner.tick(clock.now())
    outbox_worker.drain()
    assert [d for d in fake_wechat.delivered() if "停水" in d.text] == []  # not yet: due in a minute

    clock.advance(seconds=61)
    assert runner.tick(clock.now()).get("publish_due_notices") == 1
    deliver_all([outbox_worker], clock)
    delivered = [d for d in fake_wechat.delivered() if "停水" in d.text]
    robots = {d.recipient for d in delivered if d.channel == "group_robot"}
    people = {d.recipient for d in delivered if d.channel != "group_robot"}
    assert robots == {"DEMO-BUILDING-3", "DEMO-BUILDING-5"}
    assert people == _people_living_in(engine, {"3", "5"}) and people  # residents of 3 and 5, nobody else
    assert len(delivered) == len({d.key for d in delivered})  # each once

    clock.advance(minutes=5)
    runner.tick(clock.now())
    deliver_all([outbox_worker], clock)
    assert len([d for d in fake_wechat.delivered() if "停水" in d.text]) == len(delivered)  # never again


def test_a_reported_leak_reaches_the_building_head_and_the_resident_hears_each_step(
    wechat: WeChatSim,
    wecom: WeComSim,
    demo: None,
    clock: ManualClock,
    admin_headers: dict[str, str],
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
) -> None:
    fake_wechat.fail_rate = 0.3  # WeChat being flaky changes nothing the people see
    wechat.send("demo-resident-wang", "我家卫生间天花板渗水")
    assert "已登记报修单 R1001" in wechat.send("demo-resident-wang", "是")
    deliver_all([outbox_worker], clock)
    head = [d.text for d in fake_wechat.delivered() if d.recipient == "wx-chenhongmei"]
    assert any("R1001" in text and "3栋2单元502" in text for text in head)

    assert "已接单 R1001" in wecom.send("wx-wangshifu", "接单 R1001")
    assert "已完成 R1001" in wecom.send("wx-wangshifu", "完成 R1001 已重做卫生间防水")
    deliver_all([outbox_worker], clock)
    to_resident = [d.text for d in fake_wechat.delivered() if d.recipient == "demo-resident-wang"]
    assert any("已派给物业王师傅" in text for text in to_resident)
    assert any("已接单 R1001" in text for text in to_resident)
    assert any("已处理完成" in text for text in to_resident)
    keys = [d.key for d in fake_wechat.delivered()]
    assert len(keys) == len(set(keys))  # nothing twice, despite the failures

    assert "谢谢您的评价" in wechat.send("demo-resident-wang", "5 5 5")
    stats = wechat.client.get("/api/v1/stats", headers=admin_headers).json()
    assert stats["satisfaction_rate"] == 1.0 and stats["resolution_rate"] == 1.0
