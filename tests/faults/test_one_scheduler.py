"""Finding 9 of issue 15 (in part): ``hgj worker`` beside ``hgj serve`` on one database does not
elect a scheduler of its own — on SQLite as on PostgreSQL there is one leader per database."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy import Engine

from tests.conftest import WECHAT_AES_KEY
from tests.faults.processes import hgj_processes, wait_until, write_config

ACTIVE = "is the active scheduler"
STANDBY = "on standby"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_worker_beside_the_server_stands_by_as_scheduler(engine: Engine, tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.toml",
        {
            "database": {"url": engine.url.render_as_string(hide_password=False)},
            "server": {"host": "127.0.0.1", "port": _free_port()},
            "wechat": {"token": "fault-test-token", "encoding_aes_key": WECHAT_AES_KEY},
            "wecom": {"enabled": False},
            "outbox": {"console_only": True},
        },
    )
    with hgj_processes([["serve", "--config", str(config)]], logs=tmp_path) as (server,):
        assert wait_until(lambda: ACTIVE in server.output(), timeout=40), server.output()
        with hgj_processes([["worker", "--config", str(config)]], logs=tmp_path, first=1) as (worker,):
            decided = wait_until(lambda: ACTIVE in worker.output() or STANDBY in worker.output(), timeout=40)
            told = worker.output()
    assert decided and STANDBY in told and ACTIVE not in told, told
    assert server.output().count(ACTIVE) == 1  # the server led throughout
