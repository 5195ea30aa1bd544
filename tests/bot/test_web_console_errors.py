"""Console errors a person sees: Chinese pages for 403/404/422/500, banners no link can write,
and a form's reason next to its field."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.clock import ManualClock
from models.access import ApiRole
from tests.bot.test_web_console import _login
from tests.bot.test_web_console_pages import _token
from tests.support.wechat import WeChatSim

FIELD_ERRORS = re.compile(r'<script type="application/json" id="field-errors">(.*?)</script>')


def _is_chinese_page(response: object, status: int, words: str) -> bool:
    assert hasattr(response, "status_code") and hasattr(response, "text") and hasattr(response, "headers")
    return (
        response.status_code == status
        and response.headers["content-type"].startswith("text/html")
        and words in response.text
        and '<html lang="zh-CN">' in response.text
    )


def test_missing_forbidden_and_malformed_are_chinese_pages_but_the_api_stays_json(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    client = wechat.client
    _login(wechat)
    assert _is_chinese_page(client.get("/console/no-such-page"), 404, "页面不存在")
    assert _is_chinese_page(client.get("/console/tickets/999999"), 404, "没有这张工单")
    assert _is_chinese_page(client.get("/console/tickets/abc"), 422, "地址里的参数有误")
    assert _is_chinese_page(client.get("/console/audit?offset=-1"), 422, "太小了")
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    client.headers.pop("X-CSRF-Token")  # a new login, as a grid worker
    _login(wechat, _token(engine, clock, "demo-grid-liu", ApiRole.grid_worker))
    forbidden = client.get("/console/notices")
    assert _is_chinese_page(forbidden, 403, "没有权限") and "只对社区管理员和书记开放" in forbidden.text


def test_an_unexpected_error_is_a_chinese_500_page(wechat: WeChatSim, demo: None) -> None:
    app = wechat.client.app

    def boom() -> None:
        raise RuntimeError("database on fire")

    app.add_api_route("/console/boom", boom)  # type: ignore[attr-defined]
    app.add_api_route("/api/v1/boom", boom)  # type: ignore[attr-defined]
    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/console/boom")
    assert _is_chinese_page(page, 500, "服务器出了点问题") and "database on fire" not in page.text
    assert client.get("/api/v1/boom").text == "Internal Server Error"


def test_the_banner_shows_only_what_the_server_said_and_only_once(wechat: WeChatSim, demo: None) -> None:
    client = wechat.client
    _login(wechat)
    forged = client.get("/console/ledger", params={"ok": "请立即转账到 6222…", "error": "系统已停用"}).text
    assert "请立即转账" not in forged and "系统已停用" not in forged
    answer = client.post(
        "/console/ledger",
        data={"month": "2026-10", "kind": "income", "item": "停车费", "amount": "1200.50"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and "ok=" not in answer.headers["location"]
    shown = client.get(answer.headers["location"]).text
    assert '<div class="flash" role="status">已记入 2026-10：停车费 1200.50 元。</div>' in shown
    assert "已记入" not in client.get(answer.headers["location"]).text  # shown once


def test_a_form_outside_its_bounds_names_the_field_next_to_it(wechat: WeChatSim, demo: None) -> None:
    client = wechat.client
    _login(wechat)
    form = {"title": "义务理发", "starts_at": "2026-12-01T09:00", "capacity": "十个"}
    page = client.post(
        "/console/activities", data=form, headers={"referer": "http://testserver/console/activities"}
    )
    assert "没有保存：「名额」需要是整数。" in page.text
    placed = json.loads(FIELD_ERRORS.search(page.text).group(1))  # type: ignore[union-attr]
    assert placed == {"fields": {"capacity": "「名额」需要是整数"}, "action": "/console/activities"}
    assert 'name="capacity" min="1" value="10" required' in page.text  # and the field is required
