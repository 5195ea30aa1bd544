"""Questions the bot could not answer are kept, listed for the office, and answered into the base."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from nlp.faq import DEFAULT_PATH
from tests.support.console import console_login
from tests.support.wechat import WeChatSim

QUESTION = "物业能帮忙收快递吗"


def test_an_unanswered_question_is_kept_counted_and_listed(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str]
) -> None:
    for _ in range(2):
        reply = wechat.send("demo-resident-wang", QUESTION)
        assert "不太确定" in reply
    listed = wechat.client.get("/api/v1/knowledge-questions", headers=admin_headers).json()
    (item,) = [i for i in listed["items"] if i["text"] == QUESTION]
    assert item["asked"] == 2 and item["status"] == "open"
    done = wechat.client.post(f"/api/v1/knowledge-questions/{item['id']}/dismiss", headers=admin_headers)
    assert done.status_code == 200
    again = wechat.client.get("/api/v1/knowledge-questions", headers=admin_headers).json()
    assert QUESTION not in [i["text"] for i in again["items"]]
    missing = wechat.client.post("/api/v1/knowledge-questions/9999/dismiss", headers=admin_headers)
    assert missing.status_code == 404


def test_the_console_turns_a_question_into_an_entry(
    wechat: WeChatSim, demo: None, app_client: TestClient, admin_headers: dict[str, str], tmp_path: Path
) -> None:
    base = tmp_path / "kb"
    shutil.copytree(DEFAULT_PATH, base)
    app_client.app.state.settings.knowledge.path = str(base)  # type: ignore[attr-defined]
    wechat.send("demo-resident-wang", QUESTION)
    token = admin_headers["Authorization"].removeprefix("Bearer ")
    console_login(app_client, token)
    page = app_client.get("/console/knowledge").text
    assert "机器人答不上的问题" in page and QUESTION in page
    (item,) = app_client.get("/api/v1/knowledge-questions", headers=admin_headers).json()["items"]
    form = app_client.get(f"/console/knowledge?ask={item['id']}").text
    assert f'value="{QUESTION}"' in form
    saved = app_client.post(
        "/console/knowledge",
        data={
            "entry_id": "hgj-parcel-lockers",
            "create": "1",
            "ask": str(item["id"]),
            "title": QUESTION,
            "answer": "快递柜全天开放，取件码 24 小时有效。",
            "source": "小区快递柜管理规定",
            "questions": "快递柜几点关\n晚上能取快递吗",
        },
    )
    assert saved.status_code in (200, 303)
    assert app_client.get("/api/v1/knowledge-questions", headers=admin_headers).json()["items"] == []
    assert "全天开放" in wechat.send("demo-resident-zhao", QUESTION)
