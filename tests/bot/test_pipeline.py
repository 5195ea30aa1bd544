"""The pipeline under concurrency: overlapping retries and one conversation at a time per person."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bot.app import build_pipeline
from bot.clock import ManualClock
from bot.message import Message
from bot.settings import Settings
from models.inbound import InboundMessage
from models.people import BindingRequest


def _text(msg_id: str, text: str, user: str = "racer") -> Message:
    return Message(channel="mp", user_id=user, kind="text", text=text, msg_id=msg_id, create_time=1)


def test_overlapping_retries_create_one_effect(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, session: Session
) -> None:
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    pipeline.process(_text("m1", "绑定"))
    with ThreadPoolExecutor(max_workers=3) as pool:
        replies = list(pool.map(lambda _: pipeline.process(_text("m2", "3栋2单元502")), range(3)))
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
        a, b = pool.map(lambda p: p.process(_text("m2", "3栋2单元502")), (first, second))
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
    reply = pipeline.process(_text("m2", "3栋2单元502"))
    assert "没有处理成功" in reply[0].content
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 0
    kept = session.exec(select(InboundMessage).where(InboundMessage.dedupe_key == "mp:msg:m2")).one()
    assert kept.failed and kept.text == "3栋2单元502"  # the message itself is not lost
    monkeypatch.undo()
    # WeChat's retry is handled afresh: a transient failure is never the message's final answer,
    # and the form the failure left open takes it.
    retried = pipeline.process(_text("m2", "3栋2单元502"))
    assert "已有业主" in retried[0].content
    session.rollback()
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 1
    again = session.exec(select(InboundMessage).where(InboundMessage.dedupe_key == "mp:msg:m2")).one()
    assert not again.failed
    assert pipeline.process(_text("m2", "3栋2单元502")) == retried  # a later retry: the same answer


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
