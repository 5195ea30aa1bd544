"""The knowledge base edited in place: find an entry, change its answer and the article it cites,
and the questions the bot could not answer listed by how often they were asked."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from bot.clock import ManualClock
from nlp.faq import DEFAULT_PATH
from tests.support.console import console_login
from tests.support.wechat import WeChatSim


def _editable(app_client: TestClient, tmp_path: Path, admin_headers: dict[str, str]) -> None:
    base = tmp_path / "kb"
    shutil.copytree(DEFAULT_PATH, base)
    app_client.app.state.settings.knowledge.path = str(base)  # type: ignore[attr-defined]
    console_login(app_client, admin_headers["Authorization"].removeprefix("Bearer "))


def test_find_an_entry_then_change_its_answer_and_cited_article(
    wechat: WeChatSim, demo: None, app_client: TestClient, admin_headers: dict[str, str], tmp_path: Path
) -> None:
    _editable(app_client, tmp_path, admin_headers)
    found = app_client.get("/console/knowledge", params={"find": "第二百七十三条"}).text
    assert "找到 1 条" in found and "不用电梯能不交电梯费吗" in found and "mfd-271" not in found
    nothing = app_client.get("/console/knowledge", params={"find": "火星移民"}).text
    assert "没有找到" in nothing
    form = app_client.get("/console/knowledge", params={"edit": "mfd-273"}).text
    assert 'name="source"' in form and "第二百七十三条" in form
    saved = app_client.post(
        "/console/knowledge",
        data={
            "entry_id": "mfd-273",
            "title": "不用电梯能不交电梯费吗",
            "answer": "一楼业主也要按规约分摊电梯费用，具体比例看业主大会决定。",
            "source": "《中华人民共和国民法典》第二百七十三条、第二百八十三条",
            "questions": "一楼要交电梯费吗",
        },
    )
    assert "已保存" in saved.text
    again = app_client.get("/console/knowledge", params={"find": "第二百八十三条"}).text
    assert "mfd-273" in again
    assert "按规约分摊" in wechat.send("demo-resident-wang", "一楼要交电梯费吗")


def test_unanswered_questions_most_asked_first(
    wechat: WeChatSim,
    demo: None,
    app_client: TestClient,
    admin_headers: dict[str, str],
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    wechat.send("demo-resident-wang", "物业能帮忙收快递吗")
    for openid in ("demo-resident-li", "demo-resident-zhang", "demo-resident-zhao"):
        clock.advance(timedelta(minutes=5))
        wechat.send(openid, "小区游泳池几点开门")
    _editable(app_client, tmp_path, admin_headers)
    page = app_client.get("/console/knowledge").text
    assert page.index("小区游泳池几点开门") < page.index("物业能帮忙收快递吗")
    assert "3 次" in page


def test_saving_an_entry_that_is_gone_says_so_in_chinese(
    demo: None, app_client: TestClient, admin_headers: dict[str, str], tmp_path: Path
) -> None:
    _editable(app_client, tmp_path, admin_headers)
    saved = app_client.post(
        "/console/knowledge",
        data={"entry_id": "no-such-entry", "title": "问题", "answer": "回答", "source": "来源"},
    )
    assert "没有保存：这条知识可能刚被删除，请刷新后再试。" in saved.text
    assert "not found" not in saved.text
