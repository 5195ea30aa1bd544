"""Finding 6: health that tells the truth and a service that heals, on a real file system.

The database lives on a small tmpfs of its own, which the test remounts read-only or fills up,
as a bad day would. Meanwhile ``/healthz`` is 503; once the disk is back, the running service
answers again without a restart. (Mounting needs root, as CI has; elsewhere these tests skip.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.app import create_app
from bot.clock import ManualClock
from bot.db import create_db_engine
from bot.settings import Settings
from tests.support.wechat import WeChatSim


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB file system for the database alone."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    where = tmp_path / "disk"
    where.mkdir()
    _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where))
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def engine(disk: Path, sqlite_template: Path) -> Iterator[Engine]:
    """Overrides the suite's engine: SQLite on ``disk`` (these faults are a file system's)."""
    shutil.copy(sqlite_template, disk / "hgj.db")
    engine = create_db_engine(f"sqlite:///{disk / 'hgj.db'}")
    yield engine
    engine.dispose()


def _start(settings: Settings, engine: Engine, clock: ManualClock) -> TestClient:
    return TestClient(create_app(settings, engine=engine, clock=clock))


def test_a_read_only_start_is_503_then_recovers_without_restart(
    disk: Path, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    engine.dispose()
    _mount("-o", "remount,ro", str(disk))
    with _start(settings, engine, clock) as client:
        sick = client.get("/healthz")
        assert sick.status_code == 503, sick.text
        assert sick.json()["status"] != "ok"
        _mount("-o", "remount,rw", str(disk))  # the disk is writable again; nobody restarts anything
        assert client.get("/healthz").status_code == 200
        assert "王秀兰" in WeChatSim(client, settings, clock).send("demo-resident-wang", "你好")


def test_a_full_disk_is_503_and_the_message_is_handled_once_there_is_room(
    disk: Path, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    with _start(settings, engine, clock) as client:
        wechat = WeChatSim(client, settings, clock)
        assert client.get("/healthz").status_code == 200
        filler = disk / "filler"
        with filler.open("wb") as stuffing, pytest.raises(OSError):
            while True:
                stuffing.write(b"\0" * 65536)
                stuffing.flush()
        assert client.get("/healthz").status_code == 503
        msg_id = wechat.next_msg_id()
        sorry = wechat.send("demo-resident-wang", "你好", msg_id=msg_id)
        assert "没有处理成功" in sorry  # told to try again, not silently dropped
        filler.unlink()
        assert client.get("/healthz").status_code == 200
        # WeChat's retry of the same message is handled now, not answered with the apology.
        assert "王秀兰" in wechat.send("demo-resident-wang", "你好", msg_id=msg_id)
