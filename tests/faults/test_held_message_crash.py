"""A message told 「收到，正在处理」 survives ``kill -9`` of the server before it was handled.

Once the webhook has answered with the holding reply, WeChat will not send the message again:
until the pipeline commits it, it used to live only in the server's memory, so a crash in
between lost it (the resident had been told to wait and heard nothing more). Now it is spooled
to disk before the holding reply goes out, and the next start takes it up: the repair is filed
and the real answer reaches the resident as a customer-service message, once.

A real ``hgj serve``. On SQLite another process holds the database's write lock past the
webhook's budget (as in ``test_sqlite_lock``); on PostgreSQL another connection holds the
resident's conversation lock. The server is killed with SIGKILL while it waits, then the lock
is let go and the server started again on the same database and spool.
"""

from __future__ import annotations

import socket
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.clock import ManualClock, SystemClock
from bot.db import reader
from bot.pipeline import HOLDING
from bot.settings import load_settings
from models.conversation import load_state
from models.outbox import OutboxMessage, OutboxStatus
from models.tickets import Ticket
from tests.conftest import WECHAT_AES_KEY
from tests.faults.processes import hgj_processes, wait_until, wechat_sections, write_config
from tests.faults.test_sqlite_lock import try_, write_lock_held_by_another_process
from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat import WeChatSim, message_xml

WANG = "demo-resident-wang"
TOKEN = "fault-test-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database_busy(engine: Engine) -> Iterator[None]:
    """The message cannot be handled until this ends."""
    if engine.dialect.name == "sqlite":
        with write_lock_held_by_another_process(engine):
            yield
        return
    key = zlib.crc32(f"mp:{WANG}".encode())  # the resident's lock (bot.db.lock_keys)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()


def _up(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except httpx.HTTPError:
        return False


def _answer(engine: Engine, key: str) -> OutboxMessage | None:
    with Session(reader(engine)) as session:
        return session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first()


def test_a_held_message_survives_kill_9_and_is_answered_once_by_push(
    engine: Engine, demo: None, clock: ManualClock, tmp_path: Path
) -> None:
    fake = FakeWeChat(clock=clock).start()
    port = _free_port()
    sections = wechat_sections(fake.mp_base, fake.qy_base)
    sections["wechat"].update(token=TOKEN, encoding_aes_key=WECHAT_AES_KEY, mode="compatible")
    spool = tmp_path / "held"
    config = write_config(
        tmp_path / "config.toml",
        {
            "database": {"url": engine.url.render_as_string(hide_password=False)},
            "server": {
                "host": "127.0.0.1",
                "port": port,
                "reply_within_seconds": 1.0,
                "spool_dir": str(spool),
            },
            **sections,
            "outbox": {"poll_seconds": 0.2},
        },
    )
    serve = ["serve", "--config", str(config)]
    settings = load_settings(
        None, wechat={"token": TOKEN, "encoding_aes_key": WECHAT_AES_KEY, "app_id": "wx-fault-test"}
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            wechat = WeChatSim(client, settings, SystemClock())  # type: ignore[arg-type]
            with hgj_processes([serve], logs=tmp_path) as (first,):
                assert wait_until(lambda: _up(client), timeout=60), first.output()
                summary = wechat.send(WANG, "我家卫生间天花板渗水")
                assert "类别：渗漏" in summary  # the form waits for 「是」
                msg_id = wechat.next_msg_id()
                yes = message_xml(WANG, "text", wechat.now(), {"Content": "是", "MsgId": msg_id})
                with database_busy(engine):
                    reply, took = try_(wechat, yes)
                    assert reply == HOLDING and took < 5.0
                    first.popen.kill()  # SIGKILL while the message waits for the lock
                    first.popen.wait(timeout=10)
                assert len(list(spool.glob("*.json"))) == 1  # it outlived the process
                with Session(reader(engine)) as session:
                    assert session.exec(select(Ticket)).all() == []  # nothing was committed

            key = f"reply:mp:msg:{msg_id}"
            with hgj_processes([serve], logs=tmp_path, first=1) as (second,):
                sent = wait_until(
                    lambda: (row := _answer(engine, key)) is not None and row.status == OutboxStatus.sent,
                    timeout=60,
                )
                assert sent, second.output()
                wait_until(fake.idle, timeout=10)
                assert wait_until(lambda: not list(spool.glob("*.json")), timeout=10), second.output()
                assert "took up 1 message(s)" in second.output()
    finally:
        fake.stop()

    with Session(reader(engine)) as session:
        ticket = session.exec(select(Ticket)).one()
        assert load_state(session, user_key=f"mp:{WANG}").form is None  # the form is closed
    answers = [d for d in fake.delivered("mp_custom") if d.key == key]
    assert len(answers) == 1 and answers[0].recipient == WANG
    assert f"已登记报修单 {ticket.code}" in answers[0].text and HOLDING not in answers[0].text
