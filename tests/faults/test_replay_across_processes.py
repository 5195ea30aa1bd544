"""Finding 5 with several web processes: a signed triple seen by one process is known to all.

The plain ``signature`` covers no body. With two web processes on one PostgreSQL database (the
production layout), a triple accepted by one used to be accepted by the other with any body,
since each remembered only what it had seen itself. Now they share the triples through the
``seen_signature`` table: another body is refused everywhere, the same body (WeChat retrying)
is answered as a retry, and the scheduler forgets triples once they leave the replay window.
On SQLite the service is one process and the triples stay in its memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.clock import ManualClock
from bot.settings import Settings
from models.inbound import InboundMessage
from models.seen_signatures import SeenSignature
from scheduler.runner import SchedulerRunner
from tests.support.wechat import WeChatSim, cdata

WANG = "demo-resident-wang"


def _plain(wechat: WeChatSim, text: str, msg_id: int) -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[{WANG}]]></FromUserName>"
        f"<CreateTime>{wechat.now()}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(text)}</Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


@pytest.fixture
def second_process(settings: Settings, engine: Engine, clock: ManualClock) -> Iterator[TestClient]:
    """Another web process on the same database (its own app, pipeline and memory)."""
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        yield client


def _seen(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(SeenSignature)).one())


def test_a_triple_used_on_one_process_is_refused_with_another_body_on_the_other(
    engine: Engine, demo: None, wechat: WeChatSim, second_process: TestClient, clock: ManualClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several web processes need PostgreSQL (SQLite: see the test below)")
    first = wechat.client
    msg_id = wechat.next_msg_id()
    body = _plain(wechat, "你好", msg_id)
    params, _ = wechat.envelope(body.decode(), mode="plain")
    assert first.post("/wechat", params=params, content=body).status_code == 200

    forged = _plain(wechat, "投票 P1 同意", wechat.next_msg_id())
    refused = second_process.post("/wechat", params=params, content=forged)
    assert refused.status_code == 403 and "replay" in refused.text
    retry = second_process.post("/wechat", params=params, content=body)  # WeChat retrying elsewhere
    assert retry.status_code == 200
    with Session(engine) as session:
        handled = session.exec(select(InboundMessage).where(col(InboundMessage.text) == "你好")).all()
        assert len(handled) == 1  # the retry was answered from dedupe, not handled again
        assert (
            session.exec(select(InboundMessage).where(col(InboundMessage.text) == "投票 P1 同意")).all() == []
        )
    assert _seen(engine) == 1

    # The scheduler forgets the triple once its timestamp has left the replay window, not before.
    runner = SchedulerRunner(engine=engine, clock=clock)
    window = timedelta(seconds=wechat.settings.replay_window_seconds)
    assert runner.run("signatures.purge", clock.now() + window - timedelta(seconds=5)) == 0
    assert _seen(engine) == 1
    assert runner.run("signatures.purge", clock.now() + window + timedelta(seconds=2)) == 1
    assert _seen(engine) == 0


def test_on_sqlite_the_one_process_remembers_triples_itself(
    engine: Engine, demo: None, wechat: WeChatSim
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite")
    body = _plain(wechat, "你好", wechat.next_msg_id())
    params, _ = wechat.envelope(body.decode(), mode="plain")
    assert wechat.client.post("/wechat", params=params, content=body).status_code == 200
    assert wechat.client.post("/wechat", params=params, content=body).status_code == 200
    forged = _plain(wechat, "投票 P1 同意", wechat.next_msg_id())
    assert wechat.client.post("/wechat", params=params, content=forged).status_code == 403
    assert _seen(engine) == 0  # nothing written: chat does not queue on SQLite's write lock for this


def test_a_replay_inside_a_batch_is_refused_and_the_rest_of_the_batch_is_answered(
    engine: Engine, demo: None, settings: Settings, clock: ManualClock, second_process: TestClient
) -> None:
    """The shared check rides in the batch's own transaction: the forged message is refused before
    anything is handled for it, the messages beside it are answered as usual."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the shared check is PostgreSQL's")
    from bot.app import build_pipeline
    from bot.errors import BadSignature
    from bot.message import Message
    from bot.replay import SharedReplayMemory

    guard = SharedReplayMemory(engine, settings.wechat.replay_window_seconds)
    now = clock.now().timestamp()
    stamp = str(int(now))

    def message(msg_id: str, text: str, user: str, triple: tuple[str, str, str], body: bytes) -> Message:
        signed = guard.note(triple, body, now=now)
        return Message(
            channel="mp", user_id=user, kind="text", text=text, msg_id=msg_id, create_time=1, signed=signed
        )

    first = message("r1", "你好", WANG, ("sig-1", stamp, "n1"), b"<xml>1</xml>")
    assert isinstance(build_pipeline(settings, engine=engine, clock=clock).process(first), list)
    # Another process (its own memory, the same database) gets the triple again with another body.
    other = SharedReplayMemory(engine, settings.wechat.replay_window_seconds)
    forged = Message(
        channel="mp",
        user_id="demo-resident-li",
        kind="text",
        text="投票 P1 同意",
        msg_id="r2",
        create_time=1,
        signed=other.note(("sig-1", stamp, "n1"), b"<xml>forged</xml>", now=now),
    )
    honest = message("r3", "谢谢", "demo-resident-zhao", ("sig-3", stamp, "n3"), b"<xml>3</xml>")
    refused, answered = build_pipeline(settings, engine=engine, clock=clock).process_batch([forged, honest])
    assert isinstance(refused, BadSignature)
    assert isinstance(answered, list) and answered
    with Session(engine) as session:
        texts = session.exec(select(InboundMessage.text)).all()
    assert "投票 P1 同意" not in texts and "谢谢" in texts and "你好" in texts
    assert _seen(engine) == 2


def test_a_message_costs_one_transaction_replay_check_included(
    engine: Engine, demo: None, wechat: WeChatSim
) -> None:
    """On PostgreSQL the shared replay check used to commit a transaction of its own per request."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the shared check is PostgreSQL's")
    from sqlalchemy import event

    commits: list[object] = []
    count = commits.append
    wechat.send(WANG, "你好")  # warmed: the first message of a process does more
    event.listen(engine, "commit", count)
    try:
        wechat.send(WANG, "谢谢")
    finally:
        event.remove(engine, "commit", count)
    assert len(commits) == 1
    assert _seen(engine) == 2
