"""The delivery worker against the local fake: channel choice, retries, dead letters, leases."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.outbound.worker import DeliveryWorker
from bot.settings import Settings
from models.community import Building
from models.outbox import OutboxMessage, OutboxStatus, claim, enqueue
from models.people import Person, person_by_openid
from tests.support.fake_wechat import FakeWeChat
from tests.support.outbox import deliver_all


def push(engine: Engine, clock: ManualClock, key: str, text: str = "测试通知", **target: object) -> int:
    with Session(engine) as session, session.begin():
        row = enqueue(session, idempotency_key=key, text=text, now=clock.now(), kind="notice", **target)  # type: ignore[arg-type]
        assert row.id is not None
        return row.id


def person_id(engine: Engine, openid: str) -> int:
    with Session(engine) as session:
        person = person_by_openid(session, openid)
        assert person is not None and person.id is not None
        return person.id


def building_id(engine: Engine, number: str) -> int:
    with Session(engine) as session:
        building = session.exec(select(Building).where(Building.number == number)).one()
        assert building.id is not None
        return building.id


def row(engine: Engine, message_id: int) -> OutboxMessage:
    with Session(engine) as session:
        found = session.get(OutboxMessage, message_id)
        assert found is not None
        return found


def seen(engine: Engine, openid: str, when: object) -> None:
    with Session(engine) as session, session.begin():
        session.execute(update(Person).where(Person.openid == openid).values(last_seen_at=when))  # type: ignore[arg-type]


def test_each_recipient_gets_the_right_channel(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    seen(engine, "demo-resident-wang", clock.now() - timedelta(hours=47))
    seen(engine, "demo-resident-li", clock.now() - timedelta(hours=49))
    push(engine, clock, "k-wang", person_id=person_id(engine, "demo-resident-wang"))
    push(engine, clock, "k-li", person_id=person_id(engine, "demo-resident-li"))
    push(engine, clock, "k-zhao", person_id=person_id(engine, "demo-resident-zhao"))  # never wrote
    push(engine, clock, "k-staff", person_id=person_id(engine, "demo-staff-wang"))
    push(engine, clock, "k-b3", building_id=building_id(engine, "3"))
    assert outbox_worker.drain() == 5
    got = {d.key: (d.channel, d.recipient) for d in fake_wechat.delivered()}
    assert got == {
        "k-wang": ("mp_custom", "demo-resident-wang"),
        "k-li": ("mp_template", "demo-resident-li"),
        "k-zhao": ("mp_template", "demo-resident-zhao"),
        "k-staff": ("wecom_app", "wx-wangshifu"),
        "k-b3": ("group_robot", "DEMO-BUILDING-3"),
    }
    template = fake_wechat.delivered("mp_template")[0]
    assert template.body["template_id"] == "TPL-NOTICE" and template.text == "测试通知"
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {OutboxStatus.sent}
    assert {r.via for r in rows} == {"mp_custom", "mp_template", "wecom_app", "group_robot"}


def test_closed_customer_service_window_falls_back_to_a_template(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    seen(engine, "demo-resident-wang", clock.now() - timedelta(hours=1))
    fake_wechat.force_errcode = [45015]  # WeChat: response out of time limit
    message_id = push(engine, clock, "k-1", person_id=person_id(engine, "demo-resident-wang"))
    outbox_worker.drain()
    assert [(d.channel, d.key) for d in fake_wechat.delivered()] == [("mp_template", "k-1")]
    assert row(engine, message_id).via == "mp_template"


def test_without_a_template_the_letter_is_dead_with_the_reason(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
) -> None:
    outbox_worker.channels.mp_template.templates.clear()  # type: ignore[union-attr]
    message_id = push(engine, clock, "k-1", person_id=person_id(engine, "demo-resident-zhao"))
    outbox_worker.drain()
    dead = row(engine, message_id)
    assert dead.status == OutboxStatus.dead and "no template" in dead.last_error
    assert fake_wechat.delivered() == []


def test_failures_back_off_exponentially_then_dead_letter(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    fake_wechat.fail_rate = 1.0
    start = clock.now()
    message_id = push(engine, clock, "k-1", building_id=building_id(engine, "1"))
    waits = []
    for _ in range(outbox_worker.config.max_attempts):
        outbox_worker.drain()
        current = row(engine, message_id)
        if current.status == OutboxStatus.dead:
            break
        waits.append((current.next_attempt_at - clock.now()).total_seconds())
        assert outbox_worker.drain() == 0  # not due before its time
        clock.set(current.next_attempt_at)
    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    dead = row(engine, message_id)
    assert dead.status == OutboxStatus.dead and dead.attempts == 8
    assert dead.last_error.startswith("gave up after 8 attempts")
    assert clock.now() - start < timedelta(hours=2)
    assert fake_wechat.delivered() == []


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_once(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    message_id = push(engine, clock, "k-1", building_id=building_id(engine, "5"))
    with Session(engine) as session, session.begin():  # a worker claims it, then dies
        assert claim(
            session,
            message_id=message_id,
            worker="killed",
            via="group_robot",
            recipient="robot:x",
            parts=1,
            lease=timedelta(minutes=5),
            now=clock.now(),
        )
    assert outbox_worker.drain() == 0  # still leased to the dead worker
    clock.advance(minutes=5, seconds=1)
    assert outbox_worker.drain() == 1
    assert [d.key for d in fake_wechat.delivered()] == ["k-1"]
    done = row(engine, message_id)
    assert done.status == OutboxStatus.sent and done.claimed_by == "worker-a" and done.attempts == 2


def test_thirty_percent_failures_lose_nothing_and_send_nothing_twice(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    settings: object,
) -> None:
    fake_wechat.fail_rate = 0.3
    people = ["demo-resident-wang", "demo-resident-li", "demo-staff-li", "demo-head-chen"]
    seen(engine, "demo-resident-wang", clock.now())
    keys = []
    for n in range(30):
        for openid in people:
            keys.append(f"n{n}:{openid}")
            push(engine, clock, keys[-1], text=f"第{n}条", person_id=person_id(engine, openid))
        for number in ("1", "3"):
            keys.append(f"n{n}:b{number}")
            push(engine, clock, keys[-1], text=f"第{n}条", building_id=building_id(engine, number))
    other = DeliveryWorker(engine=engine, settings=outbox_worker.settings, clock=clock, name="worker-b")
    try:
        deliver_all([outbox_worker, other], clock)
    finally:
        other.client.close()
    assert sum(fake_wechat.failures.values()) > 30
    delivered = fake_wechat.delivered()
    assert sorted(d.key for d in delivered) == sorted(keys)
    assert fake_wechat.duplicate_keys() == []
    with Session(engine) as session:
        statuses = session.exec(select(OutboxMessage.status)).all()
    assert set(statuses) == {OutboxStatus.sent}


def test_a_push_caused_in_chat_reaches_the_admin_on_wecom(
    wechat: object, demo: None, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    wechat.send("family-member", "绑定")  # type: ignore[attr-defined]
    wechat.send("family-member", "3栋2单元1502")  # type: ignore[attr-defined]
    outbox_worker.drain()
    (told,) = fake_wechat.delivered()
    assert told.channel == "wecom_app" and told.recipient == "wx-wuxiaoyan"
    assert "绑定申请" in told.text and told.key.startswith("binding-request:")


def test_unconfigured_channels_go_to_the_console_in_development(
    engine: Engine, demo: None, clock: ManualClock, settings: Settings, fake_wechat: FakeWeChat
) -> None:
    settings.wechat.app_secret = "REPLACE_WITH_WECHAT_APP_SECRET"
    settings.outbox.unconfigured = "console"
    push(engine, clock, "k-1", person_id=person_id(engine, "demo-resident-zhao"))
    worker = DeliveryWorker(engine=engine, settings=settings, clock=clock)
    try:
        worker.drain()
    finally:
        worker.client.close()
    assert [(address, out.text) for address, out in worker.channels.console.sent] == [
        ("demo-resident-zhao", "测试通知")
    ]
    assert fake_wechat.delivered() == []
    settings.outbox.unconfigured = "dead"
    message_id = push(engine, clock, "k-2", person_id=person_id(engine, "demo-resident-zhao"))
    worker = DeliveryWorker(engine=engine, settings=settings, clock=clock)
    try:
        worker.drain()
    finally:
        worker.client.close()
    assert "app_secret" in row(engine, message_id).last_error


def test_console_only_prints_every_push_and_calls_no_wechat(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox_worker.settings.outbox.console_only = True  # what `hgj config init` writes for local use
    with Session(engine) as session, session.begin():
        building = session.exec(select(Building).where(Building.number == "3")).one()
        wang = session.exec(select(Person).where(Person.openid == "demo-resident-wang")).one()
        enqueue(
            session,
            idempotency_key="c1",
            building_id=building.id,
            kind="notice",
            text="楼栋群通知",
            now=clock.now(),
        )
        enqueue(
            session, idempotency_key="c2", person_id=wang.id, kind="notice", text="个人通知", now=clock.now()
        )
    with caplog.at_level(logging.INFO):
        deliver_all([outbox_worker], clock)
    assert fake_wechat.delivered() == [] and not fake_wechat.token_requests
    printed = caplog.text
    assert "楼栋群通知" in printed and "个人通知" in printed
