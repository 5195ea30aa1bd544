"""Leases and fencing in the delivery worker: a row is sent and recorded only by the worker that
holds it under its current lease token; only a send whose answer was lost may repeat, and says so."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.errors import ConfigError
from bot.outbound.channels import Outgoing
from bot.outbound.claiming import Claimed
from bot.outbound.worker import DeliveryWorker
from bot.settings import Settings, load_settings
from models import outbox
from models.outbox import OutboxStatus
from tests.bot.test_outbox_delivery import building_id, push, row
from tests.support.fake_wechat import FakeWeChat


def other_worker(outbox_worker: DeliveryWorker, clock: ManualClock, name: str = "worker-b") -> DeliveryWorker:
    return DeliveryWorker(
        engine=outbox_worker.engine,
        settings=outbox_worker.settings,
        clock=clock,
        client=outbox_worker.client,
        name=name,
    )


def test_a_worker_whose_lease_was_taken_over_neither_sends_nor_records(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    message_id = push(engine, clock, "k-1", building_id=building_id(engine, "5"))
    (stalled,) = outbox_worker.claim()  # claimed, then the worker stalls past its lease
    clock.advance(seconds=outbox_worker.config.lease_seconds + 1)
    with caplog.at_level(logging.WARNING):
        assert other_worker(outbox_worker, clock).drain() == 1
        outbox_worker.deliver(stalled)  # wakes up: the fence stops it before the send
    assert [d.key for d in fake_wechat.delivered()] == ["k-1"]
    done = row(engine, message_id)
    assert done.status == OutboxStatus.sent and done.claimed_by == "worker-b"
    assert "ran out before it sent anything" in caplog.text and "may arrive twice" not in caplog.text
    assert "no longer leased to worker-a" in caplog.text


def test_a_stale_claim_cannot_record_even_under_the_same_worker_name(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    message_id = push(engine, clock, "k-1", building_id=building_id(engine, "5"))
    lease = timedelta(seconds=60)
    claim = {"worker": "w", "via": "group_robot", "recipient": "robot:x", "parts": 1, "lease": lease}
    with Session(engine) as session, session.begin():
        first = outbox.claim(session, message_id=message_id, now=clock.now(), **claim)  # type: ignore[arg-type]
    clock.advance(seconds=61)
    with Session(engine) as session, session.begin():
        second = outbox.claim(session, message_id=message_id, now=clock.now(), **claim)  # type: ignore[arg-type]
    assert first is not None and second == first + 1
    with Session(engine) as session, session.begin():
        now = clock.now()
        assert not outbox.renew(session, message_id=message_id, worker="w", token=first, lease=lease, now=now)
        assert not outbox.mark_sent(session, message_id=message_id, worker="w", token=first, now=now, via="x")
        assert not outbox.mark_failed(
            session, message_id=message_id, worker="w", token=first, error="late", retry_at=None
        )
        assert outbox.mark_sent(session, message_id=message_id, worker="w", token=second, now=now, via="x")
    assert row(engine, message_id).status == OutboxStatus.sent


def test_a_send_whose_answer_was_lost_is_repeated_once_and_said_so(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    message_id = push(engine, clock, "k-1", building_id=building_id(engine, "5"))
    (job,) = outbox_worker.claim()
    with Session(engine) as session, session.begin():  # the fence passed, the call went out ...
        assert outbox.renew(
            session,
            message_id=message_id,
            worker=outbox_worker.name,
            token=job.token,
            lease=outbox_worker.lease,
            now=clock.now(),
        )
    clock.advance(seconds=outbox_worker.config.lease_seconds + 1)  # ... and the worker died in it
    with caplog.at_level(logging.WARNING):
        assert other_worker(outbox_worker, clock).drain() == 1
    assert [d.key for d in fake_wechat.delivered()] == ["k-1"]
    warning = next(r.getMessage() for r in caplog.records if "answer is lost" in r.getMessage())
    assert f"outbox {message_id} (k-1)" in warning and "worker-a" in warning and "may arrive twice" in warning


def test_a_timed_out_answer_is_retried_and_logged_as_a_possible_repeat(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    def wecom(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise httpx.ReadTimeout("no answer", request=request)

    message_id = push(engine, clock, "k-1", building_id=building_id(engine, "5"))
    with httpx.Client(transport=httpx.MockTransport(wecom)) as client:
        worker = DeliveryWorker(engine=engine, settings=settings, clock=clock, client=client, name="w")
        with caplog.at_level(logging.WARNING):
            worker.drain()
    failed = row(engine, message_id)
    assert calls and failed.status == OutboxStatus.pending and "no answer in time" in failed.last_error
    assert "may arrive twice" in caplog.text and "k-1" in caplog.text


def test_leases_are_renewed_while_a_slow_batch_is_sent(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    outbox_worker.config.lease_seconds = 0.3  # a heartbeat every 0.1 s
    keys = ["k-0", "k-1"]
    for key, number in zip(keys, ("5", "3"), strict=True):
        push(engine, clock, key, building_id=building_id(engine, number))
    outbox_worker.seconds_per_send = 0.01  # both rows in one batch
    renewed = threading.Condition()
    renewals: list[datetime] = []
    renew = outbox_worker._renew_all

    def counted(batch: list[Claimed]) -> None:
        moment = clock.now()
        renew(batch)
        with renewed:
            renewals.append(moment)
            renewed.notify_all()

    rival, taken = other_worker(outbox_worker, clock), []
    robot_send = outbox_worker.channels.robot.send

    def slow_send(address: str, outgoing: Outgoing) -> None:
        for _ in range(3):  # the call outlasts the lease on the injected clock, a step at a time
            clock.advance(seconds=0.2)
            with renewed:
                assert renewed.wait_for(lambda: renewals[-1:] >= [clock.now()], timeout=10)
            taken.extend(rival.claim())
        robot_send(address, outgoing)

    outbox_worker._renew_all = counted  # type: ignore[method-assign]
    outbox_worker.channels.robot.send = slow_send  # type: ignore[method-assign]
    assert outbox_worker.drain() == 2
    assert taken == []  # the rival never found a lease run out
    assert sorted(d.key for d in fake_wechat.delivered()) == keys


def test_a_stopping_worker_hands_back_what_it_has_not_started(
    engine: Engine, demo: None, clock: ManualClock, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    ids = [push(engine, clock, f"k-{n}", building_id=building_id(engine, "5")) for n in range(3)]
    outbox_worker.seconds_per_send = 0.01  # all three in one batch
    stop = threading.Event()
    stop.set()
    assert outbox_worker.run_once(stop) == 3
    assert fake_wechat.delivered() == []
    rows = [row(engine, message_id) for message_id in ids]
    assert {r.status for r in rows} == {OutboxStatus.pending} and {r.attempts for r in rows} == {0}
    assert other_worker(outbox_worker, clock).drain() == 3  # due at once for anyone


def test_a_lease_no_longer_than_the_http_timeout_is_refused_in_one_sentence() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(None, outbox={"lease_seconds": 10, "http_timeout_seconds": 10})
    assert "lease_seconds（10）必须大于 http_timeout_seconds（10）" in str(refused.value)
    assert load_settings(None).outbox.lease_seconds > load_settings(None).outbox.http_timeout_seconds
