"""Group robots: long texts split under WeChat's limits; 20 messages a minute per robot; per-person limits."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

import models.outbox
from bot.clock import ManualClock
from bot.outbound.channels import split_text
from bot.outbound.worker import DeliveryWorker
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from tests.bot.test_outbox_delivery import building_id, person_id, push
from tests.support.fake_wechat import FakeWeChat
from tests.support.outbox import deliver_all


def test_split_text_keeps_every_character_and_each_part_under_the_limit() -> None:
    text = "\n".join(f"第{i}条：" + "请各位居民注意安全，" * (i % 7 + 1) for i in range(300))
    text += "\n" + "长" * 3000  # one line longer than a message
    parts = split_text(text, 4000)
    assert "".join(parts) == text
    assert all(len(part.encode()) <= 4000 for part in parts)
    assert len(parts) >= len(text.encode()) // 4000 + 1
    assert split_text("短消息", 4000) == ["短消息"]


def test_a_long_markdown_notice_reaches_the_group_whole_in_order(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    text = "\n".join(f"- 第{i}项：3栋电梯年检，停运两小时，请走楼梯" for i in range(400))
    with Session(engine) as session, session.begin():
        enqueue(
            session,
            idempotency_key="notice:1:building:3",
            text=text,
            now=clock.now(),
            kind="notice",
            building_id=building_id(engine, "3"),
            payload={"format": "markdown"},
        )
    fake_wechat.fail_rate = 0.3
    deliver_all([outbox_worker], clock)
    parts = fake_wechat.delivered("group_robot")
    assert len(parts) > 3 and all(p.msgtype == "markdown" for p in parts)
    assert "".join(p.text for p in parts) == text
    assert [p.key for p in parts] == [
        f"notice:1:building:3#{i}/{len(parts)}" for i in range(1, len(parts) + 1)
    ]
    assert fake_wechat.errors.count(("/qy/cgi-bin/webhook/send", 40058)) == 0


def test_a_robot_gets_at_most_twenty_messages_a_minute(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    b1, b3 = building_id(engine, "1"), building_id(engine, "3")
    for n in range(45):
        push(engine, clock, f"n{n}:b1", text=f"通知{n}", building_id=b1)
    push(engine, clock, "other-building", building_id=b3)
    start = clock.now()
    outbox_worker.drain()
    first_minute = fake_wechat.delivered("group_robot")
    assert len([d for d in first_minute if d.recipient == "DEMO-BUILDING-1"]) == 20
    assert any(d.recipient == "DEMO-BUILDING-3" for d in first_minute)  # not held up by building 1
    deliver_all([outbox_worker], clock)
    delivered = [d.text for d in fake_wechat.delivered("group_robot") if d.recipient == "DEMO-BUILDING-1"]
    assert delivered == [f"通知{n}" for n in range(45)]  # all, in order
    assert 45009 not in {code for _, code in fake_wechat.errors}  # WeCom never had to refuse
    assert clock.now() - start >= timedelta(minutes=2)


def test_one_person_is_not_flooded(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    staff = person_id(engine, "demo-staff-wang")
    for n in range(10):
        push(engine, clock, f"task{n}", text=f"工单{n}", person_id=staff)
    outbox_worker.drain()
    to_him = [d for d in fake_wechat.delivered() if d.recipient == "wx-wangshifu"]
    assert len(to_him) == outbox_worker.config.person_per_minute
    with Session(engine) as session:
        waiting = session.exec(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)
        ).all()
    assert waiting and all(m.next_attempt_at > clock.now() for m in waiting)
    deliver_all([outbox_worker], clock)
    assert [d.text for d in fake_wechat.delivered()] == [f"工单{n}" for n in range(10)]


def test_a_flood_to_one_person_is_deferred_once_per_push_not_again_and_again(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deferred: Counter[int] = Counter()
    real_defer = models.outbox.defer

    def counting_defer(session: Session, *, message_id: int, until: datetime, now: datetime) -> bool:
        deferred[message_id] += 1
        return real_defer(session, message_id=message_id, until=until, now=now)

    monkeypatch.setattr(models.outbox, "defer", counting_defer)
    staff = person_id(engine, "demo-staff-wang")
    flood = [push(engine, clock, f"binding{n}", text=f"待审核{n}", person_id=staff) for n in range(120)]
    with Session(engine) as session:
        sent_before = {m.id for m in session.exec(select(OutboxMessage)) if m.status == OutboxStatus.sent}
    start = clock.now()
    deliver_all([outbox_worker], clock)
    to_him = [d.text for d in fake_wechat.delivered() if d.recipient == "wx-wangshifu"]
    assert to_him == [f"待审核{n}" for n in range(120)]  # every one, in order
    assert max(deferred.values()) == 1 and set(deferred) <= set(flood) - sent_before
    with Session(engine) as session:
        times = sorted(m.sent_at for m in session.exec(select(OutboxMessage)) if m.id in set(flood))
    limit = outbox_worker.config.person_per_minute
    assert all(
        later - earlier >= timedelta(minutes=1) for earlier, later in zip(times, times[limit:], strict=False)
    )
    assert clock.now() - start < timedelta(minutes=120 / limit + 1)  # no slower than the limit


def test_a_push_abandoned_by_a_dead_worker_and_held_by_the_limit_is_not_fetched_again_and_again(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = person_id(engine, "demo-staff-wang")
    limit = outbox_worker.config.person_per_minute
    for n in range(limit):
        push(engine, clock, f"task{n}", text=f"工单{n}", person_id=staff)
    outbox_worker.drain()  # his minute is full
    late = push(engine, clock, "task-late", text="工单late", person_id=staff)
    with Session(engine) as session, session.begin():  # a worker took it and died
        row = session.get(OutboxMessage, late)
        assert row is not None
        row.status, row.claimed_by, row.claimed_until = OutboxStatus.sending, "dead:1:x", clock.now()
    fetched: Counter[str] = Counter()
    real_due = models.outbox.due

    def counting_due(session: Session, *, now: datetime, limit: int) -> list[OutboxMessage]:
        fetched["due"] += 1
        return real_due(session, now=now, limit=limit)

    monkeypatch.setattr(models.outbox, "due", counting_due)
    for _ in range(20):  # twenty polls within the minute
        clock.advance(seconds=2)
        assert outbox_worker.run_once() == 0
    assert fetched["due"] == 1  # held once, then left alone until its slot
    deliver_all([outbox_worker], clock)
    assert [d.text for d in fake_wechat.delivered() if d.text == "工单late"] == ["工单late"]
