"""Issue 15, finding 8 — 「Console sessions: no CSRF token or Origin check (SameSite=Strict is the
only defence), no Secure flag or setting for it, the cookie *is* the long-lived API token so logging
out does not end it, and failed logins are neither throttled nor logged.」

Each test replays one clause against the real app and asserts it no longer holds.
"""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from bot.settings import Settings
from models.access import AuditEntry
from models.notices import Notice
from tests.conftest import ADMIN_TOKEN
from tests.support.console import csrf_of, post_login
from tests.support.wechat import WeChatSim

NOTICE = {"title": "伪造的公告", "body": "请把钥匙交给陌生人。", "scope": "all", "step": "send"}


def test_a_form_posted_without_the_csrf_token_or_from_another_site_does_nothing(
    wechat: WeChatSim, session: Session, demo: None
) -> None:
    """Before: the SameSite cookie was the only defence; any form post carrying it was obeyed."""
    client = wechat.client
    assert post_login(client, ADMIN_TOKEN).status_code == 303
    no_token = client.post("/console/notices", data=NOTICE)
    assert no_token.status_code == 403 and "操作没有执行" in no_token.text
    csrf = csrf_of(client.get("/console/notices").text)
    other_site = client.post("/console/notices", data={**NOTICE, "csrf_token": csrf},
                             headers={"Origin": "https://attacker.example"})  # fmt: skip
    assert other_site.status_code == 403 and "来自其他网站" in other_site.text
    assert session.exec(select(Notice)).all() == []
    asked = client.post("/console/notices", data={**NOTICE, "csrf_token": csrf})
    assert asked.status_code == 200 and "请确认" in asked.text  # the console's own form still works
    confirmed = re.search(r'name="confirmed" value="([0-9a-f]+)"', asked.text).group(1)  # type: ignore[union-attr]
    sent = client.post("/console/notices", data={**NOTICE, "csrf_token": csrf, "confirmed": confirmed})
    assert sent.status_code == 200 and "已发布" in sent.text


def test_there_is_a_secure_setting_for_the_cookie(wechat: WeChatSim, settings: Settings) -> None:
    """Before: no Secure flag and no setting for it."""
    settings.console.secure_cookies = True
    cookies = wechat.client.get("/console/login").headers.get_list("set-cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c and "SameSite=strict" in c for c in cookies)


def test_the_cookie_is_not_the_api_token_and_logging_out_ends_it(wechat: WeChatSim, demo: None) -> None:
    """Before: the cookie was the API token itself, so logging out could not end it."""
    client = wechat.client
    cookie = post_login(client, ADMIN_TOKEN).cookies["hgj_console"]
    assert cookie != ADMIN_TOKEN
    csrf = csrf_of(client.get("/console/").text)
    client.post("/console/logout", data={"csrf_token": csrf})
    kept = TestClient(client.app, cookies={"hgj_console": cookie})  # someone kept the old cookie
    again = kept.get("/console/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/console/login"


def test_failed_logins_are_throttled_and_logged(
    wechat: WeChatSim, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: any number of wrong tokens could be tried, and none left a trace."""
    with caplog.at_level(logging.WARNING):
        statuses = [post_login(wechat.client, f"guess-{n}").status_code for n in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]
    assert caplog.text.count("console login failed") == 5
    audited = session.exec(select(AuditEntry).where(AuditEntry.action == "console.login_failed")).all()
    assert len(audited) == 5
