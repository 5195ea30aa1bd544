"""Group commit: messages arriving together are handled together, and nobody pays for a neighbour."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

import handlers.binding as binding
from bot.app import build_pipeline
from bot.clock import ManualClock
from bot.message import Message
from bot.pipeline import SORRY, Pipeline
from bot.replies import Reply
from bot.settings import Settings
from models.inbound import InboundMessage
from models.people import BindingRequest, Person


def _text(msg_id: str, text: str, user: str) -> Message:
    return Message(channel="mp", user_id=user, kind="text", text=text, msg_id=msg_id, create_time=1)


def _all_at_once(pipeline: Pipeline, messages: Sequence[Message]) -> list[list[Reply]]:
    async def send() -> list[list[Reply]]:
        return list(await asyncio.gather(*(pipeline.submit(message) for message in messages)))

    return asyncio.run(send())


def _batch_sizes(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many messages each transaction handled (on the loop or on a worker)."""
    sizes: list[int] = []
    for name in ("_process_together", "_process_once"):
        original = getattr(pipeline, name)

        def spy(first, *args, __original=original, **kwargs):  # type: ignore[no-untyped-def]
            sizes.append(len(first) if isinstance(first, list | tuple) else 1)
            return __original(first, *args, **kwargs)

        monkeypatch.setattr(pipeline, name, spy)
    return sizes


def test_people_writing_at_once_share_a_transaction_and_get_their_own_answers(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    sizes = _batch_sizes(pipeline, monkeypatch)
    messages = [_text(f"a{i}", "你好" if i % 2 else "绑定", f"crowd-{i}") for i in range(12)]
    replies = _all_at_once(pipeline, messages)
    assert max(sizes) > 1 and sum(sizes) == 12
    for message, answer in zip(messages, replies, strict=True):
        expected = "栋" if message.text == "绑定" else "我可以帮您"
        assert expected in answer[0].content, (message.text, answer)
    assert session.exec(select(func.count()).select_from(InboundMessage)).one() == 12
    assert (
        session.exec(select(func.count()).select_from(Person).where(Person.openid.like("crowd-%"))).one()
        == 12
    )


def test_one_persons_messages_keep_their_order_within_a_burst(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    burst = [_text("o1", "绑定", "hasty"), _text("o2", "3栋2单元1502", "hasty"), _text("o3", "你好", "calm")]
    replies = _all_at_once(pipeline, burst)
    assert "暂时没有" in replies[1][0].content  # the answer to the form the first message opened
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 1


def test_a_retry_inside_the_same_burst_answers_the_same_and_acts_once(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    pipeline.process(_text("r1", "绑定", "retry"))
    first, again = _all_at_once(pipeline, [_text("r2", "3栋2单元1502", "retry")] * 2)
    assert first == again
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 1


def test_a_failing_message_costs_its_neighbours_nothing(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    for user in ("unlucky", "lucky"):
        pipeline.process(_text(f"{user}-0", "绑定", user))

    real_bind = binding.bind_room

    def bind_unless_unlucky(session: Session, *, person: Person, **fields: object) -> object:
        if person.openid == "unlucky":
            raise RuntimeError("disk on fire")
        return real_bind(session, person=person, **fields)  # type: ignore[arg-type]

    monkeypatch.setattr(binding, "bind_room", bind_unless_unlucky)
    bad, good = _all_at_once(
        pipeline, [_text("unlucky-1", "3栋2单元1502", "unlucky"), _text("lucky-1", "3栋2单元1502", "lucky")]
    )
    assert bad[0].content == SORRY
    assert "暂时没有" in good[0].content
    requests = session.exec(select(BindingRequest)).all()
    assert len(requests) == 1  # the lucky one's, committed; nothing half-written for the other
    failed = session.exec(select(InboundMessage).where(InboundMessage.dedupe_key == "mp:msg:unlucky-1")).one()
    assert failed.failed


def test_a_write_lock_held_by_another_process_delays_but_loses_nothing(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer lock")
    other = sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # as the scheduler in another process would
    threading.Timer(0.3, other.commit).start()
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    replies = _all_at_once(pipeline, [_text(f"l{i}", "你好", f"blocked-{i}") for i in range(4)])
    other.close()
    assert all("我可以帮您" in answer[0].content for answer in replies)
    assert session.exec(select(func.count()).select_from(InboundMessage)).one() == 4
