"""Issue 17: a real ``hgj serve`` delivers pushes from a child process of its own, so the web
process only answers residents. The child is started again when it dies, /healthz tells, and it
ends with the server (stopped, or killed with SIGKILL)."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.db import reader
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from models.people import person_by_openid
from tests.conftest import WECHAT_AES_KEY
from tests.faults.processes import Process, hgj_processes, wait_until, wechat_sections, write_config
from tests.support.fake_wechat import FakeWeChat
from tests.support.faketime import real_clock_for_children, real_now

WANG = "demo-resident-wang"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _health(client: httpx.Client) -> dict[str, Any] | None:
    try:
        answer = client.get("/healthz")
    except httpx.HTTPError:
        return None
    return answer.json() if answer.status_code == 200 else None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be read


def _push(engine: Engine, key: str) -> None:
    """A push to Wang, due now by the machine's real clock (the server runs on it, also under
    ``make test-future``)."""
    with Session(engine) as session, session.begin():
        person = person_by_openid(session, WANG)
        assert person is not None
        enqueue(
            session,
            idempotency_key=key,
            text="停水通知：明天上午停水。",
            now=real_now(),
            kind="notice",
            person_id=person.id,
        )


def _sent_by(engine: Engine, key: str) -> str | None:
    """The worker name (``host:pid:…``) that sent the row, once it is sent."""
    with Session(reader(engine)) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first()
    return row.claimed_by if row is not None and row.status == OutboxStatus.sent else None


def _sent_on_metrics(client: httpx.Client) -> float:
    """Pushes sent, as the web process's /metrics counts them (every channel)."""
    lines = client.get("/metrics").text.splitlines()
    sent = [line for line in lines if line.startswith("hgj_deliveries_total{") and 'outcome="sent"' in line]
    return sum(float(line.rsplit(" ", 1)[1]) for line in sent)


@contextmanager
def _serving(engine: Engine, tmp_path: Path, fake: FakeWeChat) -> Iterator[tuple[Process, httpx.Client]]:
    port = _free_port()
    sections = wechat_sections(fake.mp_base, fake.qy_base)
    sections["wechat"].update(token="fault-test-token", encoding_aes_key=WECHAT_AES_KEY)
    config = write_config(
        tmp_path / "config.toml",
        {
            "database": {"url": engine.url.render_as_string(hide_password=False)},
            "server": {"host": "127.0.0.1", "port": port, "spool_dir": str(tmp_path / "spool")},
            **sections,
            "outbox": {"poll_seconds": 0.2},
        },
    )
    serve = ["serve", "--config", str(config)]
    # Under libfaketime the server's children could not sleep: they run on the real clock.
    with (
        real_clock_for_children(),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
        hgj_processes([serve], logs=tmp_path) as (server,),
    ):
        up = wait_until(lambda: server.popen.poll() is not None or _health(client) is not None, timeout=60)
        assert up and server.popen.poll() is None, server.output()
        yield server, client


def test_serve_delivers_from_a_child_process_that_is_restarted_and_ends_with_it(
    engine: Engine, demo: None, clock: ManualClock, tmp_path: Path
) -> None:
    fake = FakeWeChat(clock=clock).start()
    try:
        with _serving(engine, tmp_path, fake) as (server, client):
            health = _health(client)
            assert health is not None and health["status"] == "ok", health
            child = health["delivery"]["process"]
            assert health["delivery"]["running"] and child != server.popen.pid

            _push(engine, "notice:water:1")
            assert wait_until(lambda: _sent_by(engine, "notice:water:1") is not None, timeout=60), (
                server.output()
            )
            worker = _sent_by(engine, "notice:water:1")
            assert worker is not None and worker.split(":")[-2] == str(child)  # not the web server's pid
            assert [d.recipient for d in fake.delivered() if d.key == "notice:water:1"] == [WANG]

            # The child serves no HTTP: the web process's /metrics carries its figures.
            def counted() -> bool:  # every push the fake received, the demo's included
                return _sent_on_metrics(client) == len(fake.delivered())

            assert wait_until(counted, timeout=30), client.get("/metrics").text
            assert "hgj_worker_figures_age_seconds" in client.get("/metrics").text

            os.kill(child, signal.SIGKILL)  # the delivery process dies: it is started again

            def restarted() -> bool:
                now = _health(client)
                return now is not None and now["delivery"]["restarts"] == 1 and now["delivery"]["running"]

            assert wait_until(restarted, timeout=30), server.output()
            health = _health(client)
            assert health is not None and health["delivery"]["last_exit"] == -signal.SIGKILL
            again = health["delivery"]["process"]
            assert again != child and _alive(again)
            _push(engine, "notice:water:2")
            assert wait_until(lambda: _sent_by(engine, "notice:water:2") is not None, timeout=60), (
                server.output()
            )
            assert str(again) in (_sent_by(engine, "notice:water:2") or "")

            server.popen.send_signal(signal.SIGTERM)  # as systemd stops it
            assert server.popen.wait(timeout=30) == 0, server.output()
        assert not _alive(again)
        assert "exited (code -9)" in server.output()
    finally:
        fake.stop()


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_the_delivery_process_ends_with_the_server(
    engine: Engine, demo: None, clock: ManualClock, tmp_path: Path, how: signal.Signals
) -> None:
    fake = FakeWeChat(clock=clock).start()
    try:
        with _serving(engine, tmp_path, fake) as (server, client):
            health = _health(client)
            assert health is not None
            child = health["delivery"]["process"]
            assert _alive(child)
            server.popen.send_signal(how)  # SIGKILL: the server has no chance to stop its child
            server.popen.wait(timeout=30)
            assert wait_until(lambda: not _alive(child), timeout=20), server.output()
        assert "starting it again" not in server.output()  # it was stopped, not restarted
    finally:
        fake.stop()
