"""Finding 15.2: a 100,000-row roster import must not stall chat.

The import goes through the admin API as an admin would send it (a CSV body to
``POST /api/v1/residents/import``: checked whole, then written in chunks in the background);
meanwhile residents keep writing to ``/wechat`` and every answer is timed. The bound is the
issue's, and loose on purpose (a fault test, not a benchmark): p99 under one second. The
figures with and without an import are ``bench/import_vs_chat.py``'s job.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from bot.pipeline import HOLDING
from tests.support.wechat import WeChatSim

ROWS = int(os.environ.get("HGJ_TEST_IMPORT_ROWS", "100000"))
P99_BOUND = 1.0
BUILDINGS = ("1", "2", "3", "5")  # the demo community's
CHATTER = [
    ("demo-resident-wang", "你好"),
    ("demo-resident-li", "积分多少"),
    ("demo-resident-wang", "最近通知"),
    ("newcomer-1", "物业费怎么交"),
    ("demo-resident-li", "谢谢"),
]


def roster_csv(rows: int) -> bytes:
    lines = ["楼栋,单元,房号,面积,姓名,电话"]
    for i in range(rows):
        building, unit, room = BUILDINGS[i % 4], i // 4 % 6 + 1, 1000 + i // 24
        lines.append(f"{building},{unit},{room},{80 + i % 40}.5,住户{i},138{i:08d}")
    return ("\n".join(lines) + "\n").encode()


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def test_chat_answers_quickly_during_a_large_roster_import(
    wechat: WeChatSim, app_client: TestClient, admin_headers: dict[str, str], demo: None
) -> None:
    body = roster_csv(ROWS)
    posted: list[Response] = []
    poster = threading.Thread(
        target=lambda: posted.append(
            app_client.post("/api/v1/residents/import", content=body, headers=admin_headers)
        )
    )
    latencies: list[float] = []
    replies: list[str] = []

    def chat_once(turn: int) -> None:
        openid, text = CHATTER[turn % len(CHATTER)]
        started = time.monotonic()
        replies.append(wechat.send(openid, text))
        latencies.append(time.monotonic() - started)

    for turn in range(5):  # warm: the first answers build caches
        chat_once(turn)
    latencies.clear()
    poster.start()
    turn, deadline = 0, time.monotonic() + 180
    while True:
        chat_once(turn)
        turn += 1
        if not poster.is_alive() and posted:
            operation = app_client.get(posted[0].headers["Location"], headers=admin_headers).json()
            if operation["status"] != "running":
                break
        assert time.monotonic() < deadline, "the import did not finish in 3 minutes"
    poster.join()

    assert posted[0].status_code == 202, posted[0].text
    assert operation["status"] == "done", operation
    assert operation["detail"]["report"]["people_created"] == ROWS
    residents = app_client.get("/api/v1/residents?limit=1", headers=admin_headers)
    assert residents.headers["X-Total-Count"] == str(ROWS)  # the demo registers no householders
    assert HOLDING not in replies  # every message was answered, none had to be put off
    assert len(latencies) >= 20, f"only {len(latencies)} messages during the import"
    worst = p99(latencies)
    print(f"\n{ROWS} rows imported; {len(latencies)} messages meanwhile, p99 {worst * 1000:.0f} ms")
    if worst >= P99_BOUND:
        pytest.fail(f"p99 {worst:.2f} s during the import (bound {P99_BOUND} s)")
