"""Dead letters through the admin API and ``hgj outbox``: listed with the reason, retried, delivered."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app
from bot.clock import ManualClock
from bot.outbound.worker import DeliveryWorker
from models.outbox import OutboxStatus
from tests.bot.test_outbox_delivery import building_id, push, row
from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat import WeChatSim


def make_dead(engine: Engine, clock: ManualClock, worker: DeliveryWorker, fake: FakeWeChat, key: str) -> int:
    fake.force_errcode = [93000]  # WeCom: invalid webhook key — permanent
    message_id = push(engine, clock, key, text="停水通知", building_id=building_id(engine, "2"))
    worker.drain()
    assert row(engine, message_id).status == OutboxStatus.dead
    return message_id


def test_admin_lists_dead_letters_and_retries_one(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    wechat: WeChatSim,
    admin_headers: dict[str, str],
) -> None:
    message_id = make_dead(engine, clock, outbox_worker, fake_wechat, "k-dead")
    push(engine, clock, "k-fine", building_id=building_id(engine, "1"))
    outbox_worker.drain()
    client = wechat.client
    assert client.get("/api/v1/outbox?status=dead").status_code == 401
    listed = client.get("/api/v1/outbox?status=dead", headers=admin_headers).json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["id"] == message_id and "93000" in item["last_error"] and item["text"] == "停水通知"
    assert client.get("/api/v1/outbox?status=lost", headers=admin_headers).status_code == 422
    retried = client.post(f"/api/v1/outbox/{message_id}/retry", headers=admin_headers)
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    assert client.post(f"/api/v1/outbox/{message_id}/retry", headers=admin_headers).status_code == 409
    assert client.post("/api/v1/outbox/9999/retry", headers=admin_headers).status_code == 404
    outbox_worker.drain()
    assert row(engine, message_id).status == OutboxStatus.sent
    assert [d.key for d in fake_wechat.delivered()] == ["k-fine", "k-dead"]


@pytest.fixture
def cli_env(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    return {"HGJ_DATABASE__URL": engine.url.render_as_string(hide_password=False), "HGJ_CONFIG": ""}


def test_cli_lists_and_retries_dead_letters(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
    cli_env: dict[str, str],
) -> None:
    first = make_dead(engine, clock, outbox_worker, fake_wechat, "k-1")
    second = make_dead(engine, clock, outbox_worker, fake_wechat, "k-2")
    cli = CliRunner()
    at = ["--now", clock.now().isoformat()]  # the CLI runs on the test's clock, not the wall clock
    listed = cli.invoke(app, [*at, "outbox", "--status", "dead"], env=cli_env)
    assert listed.exit_code == 0, listed.output
    assert "93000" in listed.output and "共 2 条" in listed.output
    bad = cli.invoke(app, [*at, "outbox", "--status", "lost"], env=cli_env)
    assert bad.exit_code == 2 and "没有状态 lost" in bad.output
    one = cli.invoke(app, [*at, "outbox", "--retry", str(first)], env=cli_env)
    assert one.exit_code == 0 and f"#{first}" in one.output
    again = cli.invoke(app, [*at, "outbox", "--retry", str(first)], env=cli_env)
    assert again.exit_code == 2 and "not dead" in again.output
    everything = cli.invoke(app, [*at, "outbox", "--retry-all-dead"], env=cli_env)
    assert everything.exit_code == 0 and "1 条" in everything.output
    assert row(engine, first).status == row(engine, second).status == OutboxStatus.pending
    clock.advance(seconds=1)
    outbox_worker.drain()
    assert row(engine, first).status == row(engine, second).status == OutboxStatus.sent
