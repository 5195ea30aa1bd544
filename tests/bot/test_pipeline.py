"""The pipeline under concurrency: overlapping retries and one conversation at a time per person."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from bot.app import build_pipeline
from bot.clock import ManualClock
from bot.message import Message
from bot.pipeline import HOLDING
from bot.replies import Reply, Text
from bot.settings import Settings
from models.inbound import InboundMessage
from models.outbox import OutboxMessage
from models.people import BindingRequest, Person


def _text(msg_id: str, text: str, user: str = "racer") -> Message:
    return Message(channel="mp", user_id=user, kind="text", text=text, msg_id=msg_id, create_time=1)


def test_overlapping_retries_create_one_effect(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    pipeline.process(_text("m1", "绑定"))
    with ThreadPoolExecutor(max_workers=3) as pool:
        replies = list(pool.map(lambda _: pipeline.process(_text("m2", "3栋2单元1502")), range(3)))
    assert len({tuple(r) for r in replies}) == 1
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 1
    assert session.exec(select(func.count()).select_from(InboundMessage)).one() == 2


def test_two_pipelines_sharing_a_database_dedupe_too(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    """Two workers (separate pipelines, as in two processes) receive the same retry."""
    first, second = (build_pipeline(settings, engine=engine, clock=clock) for _ in range(2))
    first.process(_text("m1", "绑定"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.map(lambda p: p.process(_text("m2", "3栋2单元1502")), (first, second))
    assert a == b
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 1


def test_a_failing_handler_leaves_nothing_half_written_and_the_retry_is_handled(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    pipeline.process(_text("m1", "绑定"))

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("handlers.binding.bind_room", explode)
    reply = pipeline.process(_text("m2", "3栋2单元1502"))
    assert "没有处理成功" in reply[0].content
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 0
    kept = session.exec(select(InboundMessage).where(InboundMessage.dedupe_key == "mp:msg:m2")).one()
    assert kept.failed and kept.text == "3栋2单元1502"  # the message itself is not lost
    monkeypatch.undo()
    # WeChat's retry is handled afresh: a transient failure is never the message's final answer,
    # and the form the failure left open takes it.
    retried = pipeline.process(_text("m2", "3栋2单元1502"))
    assert "暂时没有" in retried[0].content
    session.rollback()
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 1
    again = session.exec(select(InboundMessage).where(InboundMessage.dedupe_key == "mp:msg:m2")).one()
    assert not again.failed
    assert pipeline.process(_text("m2", "3栋2单元1502")) == retried  # a later retry: the same answer


def test_a_failed_message_retried_inside_a_batch_is_handled_afresh(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    pipeline = build_pipeline(settings, engine=engine, clock=clock)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(pipeline.dispatcher, "dispatch", explode)
    assert "没有处理成功" in pipeline.process(_text("b1", "你好"))[0].content
    monkeypatch.undo()
    first, second = pipeline.process_batch([_text("b1", "你好"), _text("b2", "你好")])
    assert "没有处理成功" not in first[0].content and "没有处理成功" not in second[0].content
    session.rollback()
    rows = session.exec(
        select(InboundMessage).where(InboundMessage.dedupe_key.in_(["mp:msg:b1", "mp:msg:b2"]))
    ).all()  # type: ignore[attr-defined]
    assert len(rows) == 2 and not any(row.failed for row in rows)


def test_an_answer_later_than_the_webhooks_budget_is_pushed_once_and_not_replied(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    pipeline.reply_within = 0.05
    real = pipeline.dispatcher.dispatch
    release = threading.Event()

    def slow(*args: object, **kwargs: object) -> object:
        release.wait(5)  # the database (or anything) takes longer than the webhook may wait
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.dispatcher, "dispatch", slow)
    pipeline.batcher.try_now = None  # on a worker thread, as when something it needs is busy

    async def story() -> tuple[list[Reply], list[Reply], list[Reply]]:
        first = await pipeline.answer(_text("s1", "积分多少", user="demo-resident-wang"))
        retry = await pipeline.answer(_text("s1", "积分多少", user="demo-resident-wang"))  # WeChat again
        release.set()
        while pipeline._jobs:  # the message is still in hand until its answer is committed
            await asyncio.sleep(0.01)
        late = await pipeline.answer(_text("s1", "积分多少", user="demo-resident-wang"))
        return first, retry, late

    first, retry, late = asyncio.run(story())
    assert first == retry == [Text(HOLDING)]
    assert late == []  # answered by push: a later retry gets `success`, not the answer again
    session.rollback()
    pushed = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all()
    assert len(pushed) == 1 and pushed[0].channel == "mp_custom" and "积分" in pushed[0].text
    assert session.exec(select(func.count()).select_from(InboundMessage)).one() == 1


def test_an_answer_in_time_is_the_reply_and_nothing_is_pushed(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    replies = asyncio.run(pipeline.answer(_text("t1", "积分多少", user="demo-resident-wang")))
    assert replies and HOLDING not in replies[0].content
    session.rollback()
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all() == []


def test_a_batch_records_when_each_of_its_senders_was_last_seen(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    """The 48-hour customer-service window counts from here: written for the whole batch at once."""
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    senders = ["demo-resident-wang", "demo-resident-li", "seen-newcomer"]
    pipeline.process_batch([_text(f"s{i}", "你好", user=who) for i, who in enumerate(senders)])
    clock.advance(hours=1)
    pipeline.process_batch([_text(f"t{i}", "谢谢", user=who) for i, who in enumerate(senders)])
    session.rollback()
    seen = session.exec(select(Person.openid, Person.last_seen_at).where(col(Person.openid).in_(senders)))
    assert dict(seen.all()) == dict.fromkeys(senders, clock.now())


def test_an_erasure_in_a_batch_is_not_undone_by_the_time_its_sender_was_seen(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    pipeline.process_batch([_text("e1", "删除我的信息", user="demo-resident-li"), _text("e2", "你好")])
    clock.advance(minutes=6)  # past the 5 minutes after which the time seen is written again
    replies = pipeline.process_batch([_text("e3", "确认删除", user="demo-resident-li"), _text("e4", "谢谢")])
    assert replies[0] and replies[1], replies
    session.rollback()
    erased = session.exec(select(Person).where(col(Person.erased_at).is_not(None))).all()
    assert len(erased) == 1 and erased[0].last_seen_at is None, replies
