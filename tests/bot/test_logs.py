"""Logs an operator can follow: JSON lines, and one request id from nginx to the pipeline's threads."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.batching import Batcher
from bot.dispatcher import Dispatcher
from bot.logs import REQUEST_ID, REQUEST_OF, configure_logging, make_handler
from bot.message import Message
from bot.replies import Reply
from bot.settings import LogSettings, Settings
from tests.support.wechat import WeChatSim, message_xml


def test_a_failing_message_is_logged_with_its_request_id_in_every_thread(
    wechat: WeChatSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    handler = make_handler(LogSettings(format="json"), stream)
    logging.getLogger().addHandler(handler)
    seen_threads: set[str] = set()

    def broken(self: Dispatcher, ctx: Any) -> list[Reply]:
        seen_threads.add(threading.current_thread().name)
        logging.getLogger("handlers.test").warning("about to fail for %s", ctx.message.user_id)
        raise RuntimeError("handler bug")

    monkeypatch.setattr(Dispatcher, "_route", broken)
    try:
        xml = message_xml("trace-user", "text", wechat.now(), {"Content": "你好", "MsgId": 77001})
        params, body = wechat.envelope(xml)
        response = wechat.client.post(
            "/wechat", params=params, content=body, headers={"X-Request-ID": "nginx-7f3a"}
        )
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 200 and response.headers["x-request-id"] == "nginx-7f3a"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "nginx-7f3a"]
    handler_lines = [line for line in mine if line["logger"] == "handlers.test"]
    assert handler_lines and all(line["message_key"] == "mp:msg:77001" for line in handler_lines)
    failure = [line for line in mine if line["logger"] == "bot.pipeline" and "exception" in line]
    assert failure and "handler bug" in failure[-1]["exception"]
    assert any(name.startswith("pipeline") for name in seen_threads)  # a worker thread logged it too
    assert {line["thread"] for line in mine} >= {name for name in seen_threads}
    assert not [line for line in lines if "handler bug" in json.dumps(line) and "request_id" not in line]


def test_an_implausible_request_id_is_replaced_not_logged(app_client: TestClient) -> None:
    forged = 'x" level=ERROR\nfake line'
    response = app_client.get("/healthz", headers={"X-Request-ID": forged})
    given = response.headers["x-request-id"]
    assert given != forged and re.fullmatch(r"[0-9a-f]{20,}", given)
    other = app_client.get("/healthz").headers["x-request-id"]
    assert other != given  # a fresh one for every request


def test_access_lines_carry_route_status_and_request_id(
    settings: Settings, engine: Any, clock: Any, admin_headers: dict[str, str]
) -> None:
    from bot.app import create_app

    settings.log.access = True
    stream = io.StringIO()
    handler = make_handler(LogSettings(format="json"), stream)
    access = logging.getLogger("hgj.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
            client.get("/api/v1/tickets/99", headers={**admin_headers, "X-Request-ID": "abc-1"})
    finally:
        access.removeHandler(handler)
        access.setLevel(logging.NOTSET)
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["request_id"] == "abc-1" and line["route"] == "/api/v1/tickets/{ticket_id}"
    assert line["status"] == 404 and line["duration_ms"] >= 0


def test_text_format_shows_the_request_id_and_json_keeps_chinese_readable() -> None:
    text_stream, json_stream = io.StringIO(), io.StringIO()
    logger = logging.getLogger("hgj.test.format")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    for settings, stream in (
        (LogSettings(format="text"), text_stream),
        (LogSettings(format="json"), json_stream),
    ):
        logger.addHandler(make_handler(settings, stream))
    token = REQUEST_ID.set("r-42")
    try:
        logger.info("已登记报修单 %s", "R1001", extra={"ticket": "R1001"})
    finally:
        REQUEST_ID.reset(token)
        logger.handlers.clear()
    assert "[rid=r-42]" in text_stream.getvalue() and "已登记报修单 R1001" in text_stream.getvalue()
    entry = json.loads(json_stream.getvalue())
    assert (
        entry["message"] == "已登记报修单 R1001"
        and entry["ticket"] == "R1001"
        and entry["request_id"] == "r-42"
    )
    assert "已登记" in json_stream.getvalue()  # not \\u escapes


def test_configure_logging_routes_every_logger_through_one_json_handler() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    try:
        configure_logging(LogSettings(format="json", level="WARNING"), stream)
        logging.getLogger("uvicorn.error").warning("port in use")
        logging.getLogger("bot.anything").info("not at WARNING")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    (entry,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry["logger"] == "uvicorn.error" and entry["level"] == "WARNING"


def test_a_batch_hands_its_requests_ids_to_the_worker_thread() -> None:
    """Messages handled together: the batch's thread knows every request id in it, and which
    message came with which."""
    seen: list[tuple[dict[str, str], str, dict[str, str]]] = []

    def handle(messages: Sequence[Message]) -> list[list[Reply]]:
        expected = {m.dedupe_key: f"req-{m.user_id}" for m in messages}
        seen.append((expected, REQUEST_ID.get(), dict(REQUEST_OF.get())))
        return [[] for _ in messages]

    async def send_all() -> None:
        async def one(index: int) -> None:
            REQUEST_ID.set(f"req-u{index}")  # as the request's middleware does
            await batcher.submit(Message(channel="mp", user_id=f"u{index}", kind="text", msg_id=str(index)))

        await asyncio.gather(*(one(i) for i in range(6)))

    with ThreadPoolExecutor(max_workers=1) as executor:
        batcher = Batcher(handle, executor=executor, in_flight=1, max_batch=4)
        asyncio.run(send_all())
    assert sum(len(expected) for expected, _, _ in seen) == 6 and len(seen) >= 2  # batched
    for expected, in_thread, by_message in seen:
        assert set(in_thread.split(",")) == set(expected.values()) and by_message == expected
