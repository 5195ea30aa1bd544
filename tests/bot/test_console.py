"""``hgj chat``: the console goes through the same pipeline and database as WeChat."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import Engine

from bot.app import build_pipeline
from bot.clock import ManualClock
from bot.console import ConsoleChat, run
from bot.settings import Settings


def test_a_new_person_is_welcomed_and_binds(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None
) -> None:
    chat = ConsoleChat(
        engine=engine,
        pipeline=build_pipeline(settings, engine=engine, clock=clock),
        openid="console-new",
        clock=clock,
    )
    assert chat.is_new()
    welcome = " ".join(r.content for r in chat.subscribe())
    assert "欢迎关注阳光里社区红管家" in welcome
    assert "已收到您的登记" in " ".join(r.content for r in chat.send("2栋2单元301"))


def test_the_console_loop_prints_replies_and_pushes(
    settings: Settings, engine: Engine, clock: ManualClock, demo: None, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    chat = ConsoleChat(
        engine=engine,
        pipeline=build_pipeline(settings, engine=engine, clock=clock),
        openid="demo-resident-wang",
        clock=clock,
    )
    lines = iter(["转人工", "/quit"])
    buffer = io.StringIO()
    console = Console(file=buffer, width=200)
    monkeypatch.setattr(console, "input", lambda prompt="": next(lines))
    run(chat, console)
    printed = buffer.getvalue()
    assert "陈红梅" in printed  # the building head of 3栋 is asked to call back
    assert "推送给 陈红梅" in printed
