"""Held messages on disk (``bot.spool``): taken up at start-up once, never handled twice."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app import build_pipeline
from bot.clock import ManualClock
from bot.message import Message
from bot.pipeline import Pipeline
from bot.replay import Signed
from bot.settings import Settings
from bot.spool import Spool, spool_directory
from models.inbound import InboundMessage
from models.outbox import OutboxMessage

WANG = "demo-resident-wang"


def _hello(msg_id: str = "7001") -> Message:
    return Message(
        channel="mp",
        user_id=WANG,
        kind="text",
        text="你好",
        msg_id=msg_id,
        create_time=1,
        extra={"ToUserName": "gh", "MsgId": msg_id},
    )


def _crash(spool: Spool) -> None:
    """The process that spooled these ends: the operating system lets go of its locks."""
    for fd in spool._held.values():
        os.close(fd)
    spool._held.clear()


def _resume(pipeline: Pipeline) -> int:
    async def run() -> int:
        taken = await pipeline.resume()
        while pipeline._jobs:  # the taken-up messages are handled
            await asyncio.sleep(0.01)
        return taken

    return asyncio.run(run())


def _pushes(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).where(col(OutboxMessage.kind) == "reply")).all())


def test_a_message_is_written_whole_and_read_back(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    message = _hello()
    assert spool.put(message)
    files = list((tmp_path / "spool").iterdir())
    assert len(files) == 1 and files[0].suffix == ".json"  # no temporary file left behind
    assert Spool(tmp_path / "spool").take_orphans() == []  # this process still holds it
    spool.remove(message.dedupe_key)
    assert list((tmp_path / "spool").iterdir()) == []


def test_a_message_still_carrying_its_signed_triple_is_spooled(tmp_path: Path) -> None:
    """On PostgreSQL the replay check rides in the message's transaction, so a held message still
    carries its signed triple (with a datetime in it): the spool writes the message without it."""
    expires = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    message = dataclasses.replace(
        _hello(), signed=Signed(triple_hash="t", body_digest="b", expires_at=expires)
    )
    ended = Spool(tmp_path / "spool")
    assert ended.put(message)
    _crash(ended)
    (taken,) = Spool(tmp_path / "spool").take_orphans()
    assert taken == _hello() and taken.signed is None


def test_a_file_left_by_an_ended_process_is_taken_up_once(tmp_path: Path) -> None:
    ended = Spool(tmp_path / "spool")
    ended.put(_hello())
    _crash(ended)
    first, second = Spool(tmp_path / "spool"), Spool(tmp_path / "spool")
    assert first.take_orphans() == [_hello()]
    assert second.take_orphans() == []  # the first one holds it now


def test_the_spool_lives_beside_the_sqlite_database_unless_configured(settings: Settings) -> None:
    settings.server.spool_dir = ""
    settings.database.url = "sqlite:////srv/hgj/hgj.db"
    assert spool_directory(settings) == Path("/srv/hgj/spool")
    settings.database.url = "postgresql://hgj@db/hgj"
    assert spool_directory(settings) == Path("data/spool")
    settings.server.spool_dir = "/var/lib/hgj/spool"
    assert spool_directory(settings) == Path("/var/lib/hgj/spool")


def test_a_spooled_message_that_was_committed_is_not_handled_again(
    engine: Engine, demo: None, settings: Settings, clock: ManualClock, tmp_path: Path
) -> None:
    message = _hello()
    first = build_pipeline(settings, engine=engine, clock=clock)
    replies = first.process(message)  # committed (the crash came before its file was removed)
    assert replies
    crashed = Spool(tmp_path / "spool")
    crashed.put(message)
    _crash(crashed)

    restarted = build_pipeline(settings, engine=engine, clock=clock, spool=Spool(tmp_path / "spool"))
    assert _resume(restarted) == 0
    assert list((tmp_path / "spool").iterdir()) == []
    with Session(engine) as session:
        assert len(session.exec(select(InboundMessage).where(col(InboundMessage.text) == "你好")).all()) == 1
    assert _pushes(engine) == []  # the resident had the answer already: no push either


def test_a_spooled_message_not_yet_committed_is_handled_and_answered_by_push(
    engine: Engine, demo: None, settings: Settings, clock: ManualClock, tmp_path: Path
) -> None:
    crashed = Spool(tmp_path / "spool")
    crashed.put(_hello("7002"))
    _crash(crashed)

    restarted = build_pipeline(settings, engine=engine, clock=clock, spool=Spool(tmp_path / "spool"))
    assert _resume(restarted) == 1
    assert list((tmp_path / "spool").iterdir()) == []
    pushed = _pushes(engine)
    assert [p.idempotency_key for p in pushed] == ["reply:mp:msg:7002"] and pushed[0].channel == "mp_custom"
    assert "王秀兰" in pushed[0].text

    again = build_pipeline(settings, engine=engine, clock=clock, spool=Spool(tmp_path / "spool"))
    assert _resume(again) == 0 and len(_pushes(engine)) == 1
