"""/healthz tells the truth: 503 while the database takes no write, and recovery without a restart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from bot.clock import ManualClock
from tests.support.wechat import WeChatSim


@pytest.fixture
def read_only_at_start(engine: Engine) -> Iterator[dict[str, bool]]:
    """Connections opened while ``state["read_only"]`` is set cannot write (like a read-only file)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("simulates SQLite's read-only file")
    state = {"read_only": True}

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if state["read_only"]:
            dbapi_connection.execute("PRAGMA query_only=ON")

    engine.dispose()  # every connection from now on is a new one
    event.listen(engine, "connect", on_connect)
    yield state
    event.remove(engine, "connect", on_connect)


def test_health_reports_the_outbox_and_the_scheduler(app_client: TestClient, demo: None) -> None:
    health = app_client.get("/healthz").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["outbox"]["pending"] >= 0 and health["scheduler"] in ("leader", "standby", "off")


def test_read_only_start_is_503_then_recovers_without_restart(
    read_only_at_start: dict[str, bool], app_client: TestClient, wechat: WeChatSim, clock: ManualClock
) -> None:
    sick = app_client.get("/healthz")
    assert sick.status_code == 503 and sick.json()["database"] == "not writable"
    read_only_at_start["read_only"] = False  # the disk is writable again; nobody restarts anything
    assert app_client.get("/healthz").status_code == 200
    assert "您好" in wechat.send("recovered-1", "你好")
