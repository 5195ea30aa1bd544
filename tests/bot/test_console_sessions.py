"""Console sessions: apart from API tokens, ended by logout, idleness, age and revocation; CSRF on
every form; a Secure setting; failed logins throttled, logged and audited."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.settings import Settings
from bot.web.sessions import same_origin
from models.access import ApiRole, AuditEntry, issue_token, revoke_token
from models.console_sessions import ConsoleSession
from models.people import BindingRequest, BindingStatus
from tests.conftest import ADMIN_TOKEN
from tests.support.console import confirm, csrf_of, post_login
from tests.support.wechat import WeChatSim

PAGES = ["/console/", "/console/tickets", "/console/notices", "/console/activities", "/console/rewards",
         "/console/bindings",
         "/console/proposals", "/console/knowledge", "/console/ledger"]  # fmt: skip


def _logged_in(client: TestClient, token: str = ADMIN_TOKEN) -> tuple[str, str]:
    """Log in without the helper's header: (session cookie, CSRF token from the page)."""
    response = post_login(client, token)
    assert response.status_code == 303, response.text
    cookie = response.cookies["hgj_console"]
    return cookie, csrf_of(client.get("/console/").text)


def _opens_pages(client: TestClient) -> bool:
    response = client.get("/console/", follow_redirects=False)
    if response.status_code == 303:
        assert response.headers["location"] == "/console/login"
        return False
    assert response.status_code == 200
    return True


def _pending_binding(wechat: WeChatSim, session: Session) -> int:
    wechat.send("family", "绑定")
    wechat.send("family", "3栋2单元1502")
    request_id = session.exec(select(BindingRequest.id)).one()
    assert request_id is not None
    return request_id


def _status(session: Session, request_id: int) -> BindingStatus:
    session.rollback()
    found = session.get(BindingRequest, request_id)
    assert found is not None
    session.expire(found)
    return found.status


def test_logout_ends_the_session_for_good(wechat: WeChatSim, demo: None) -> None:
    client = wechat.client
    cookie, csrf = _logged_in(client)
    assert _opens_pages(client)
    out = client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert not _opens_pages(client)
    client.cookies.set("hgj_console", cookie, path="/console")  # the old cookie, replayed
    assert not _opens_pages(client)
    assert not _opens_pages(TestClient(client.app, cookies={"hgj_console": cookie}))
    assert (
        client.post(
            "/console/notices", data={"csrf_token": csrf, "title": "x"}, follow_redirects=False
        ).headers["location"]
        == "/console/login"
    )


def test_logging_in_again_ends_the_browsers_earlier_session(wechat: WeChatSim, demo: None) -> None:
    client = wechat.client
    first, _ = _logged_in(client)
    second, _ = _logged_in(client)
    assert first != second and _opens_pages(client)
    assert _opens_pages(TestClient(client.app, cookies={"hgj_console": second}))
    assert not _opens_pages(TestClient(client.app, cookies={"hgj_console": first}))


def test_the_cookie_is_not_the_api_token_and_the_token_still_works(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    client = wechat.client
    cookie, csrf = _logged_in(client)
    assert cookie != ADMIN_TOKEN and ADMIN_TOKEN not in cookie
    with Session(engine) as session:
        stored = session.exec(select(ConsoleSession)).one()
    assert cookie not in stored.session_hash  # only its hash is kept
    api = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {cookie}"})
    assert api.status_code == 401  # the session id opens no API
    client.post("/console/logout", data={"csrf_token": csrf})
    assert (
        client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 200
    )


def test_an_idle_session_expires_on_the_injected_clock(
    wechat: WeChatSim, clock: ManualClock, demo: None
) -> None:
    client = wechat.client
    _logged_in(client)
    for _ in range(3):  # in use: 20 minutes apart keeps it open past the 30-minute idle limit
        clock.advance(minutes=20)
        assert _opens_pages(client)
    clock.advance(minutes=31)
    assert not _opens_pages(client)


def test_every_session_ends_at_its_absolute_lifetime(
    wechat: WeChatSim, clock: ManualClock, settings: Settings, demo: None
) -> None:
    settings.console.session_lifetime_hours = 2
    client = wechat.client
    _logged_in(client)
    for _ in range(5):
        clock.advance(minutes=20)
        assert _opens_pages(client)
    clock.advance(minutes=20)  # two hours after login, however busy
    assert not _opens_pages(client)


def test_revoking_the_api_token_ends_its_console_sessions(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, settings: Settings, demo: None
) -> None:
    with Session(engine) as session, session.begin():
        token = issue_token(session, name="周书记", role=ApiRole.secretary, now=clock.now())
    client = wechat.client
    _logged_in(client, token)
    assert _opens_pages(client)
    with Session(engine) as session, session.begin():
        revoke_token(session, token_id=1, now=clock.now())
        assert session.exec(select(ConsoleSession)).one().revoked_at is not None
    assert not _opens_pages(client)
    # A config token taken out of the config ends its sessions too.
    _logged_in(client)
    settings.admin.tokens = ["another-admin-token-000000"]
    assert not _opens_pages(client)


def _session_cookie(lines: list[str]) -> str:
    (line,) = [line for line in lines if line.startswith("hgj_console=")]
    return line


def test_cookie_flags_and_the_secure_setting(wechat: WeChatSim, settings: Settings) -> None:
    plain = _session_cookie(post_login(wechat.client, ADMIN_TOKEN).headers.get_list("set-cookie"))
    assert "HttpOnly" in plain and "SameSite=strict" in plain and "Path=/console" in plain
    assert "Secure" not in plain  # the default, for plain-HTTP local use
    settings.console.secure_cookies = True  # behind TLS: the browser sends the cookies over HTTPS only
    https = TestClient(wechat.client.app, base_url="https://testserver")
    form = https.get("/console/login").headers["set-cookie"]
    assert form.startswith("hgj_console_login=") and "Secure" in form and "HttpOnly" in form
    secure = _session_cookie(post_login(https, ADMIN_TOKEN).headers.get_list("set-cookie"))
    assert "Secure" in secure and "HttpOnly" in secure and "SameSite=strict" in secure
    assert https.get("/console/").status_code == 200
    plain_http = post_login(wechat.client, ADMIN_TOKEN)  # the login form's cookie does not come back
    assert plain_http.status_code == 403 and "https://" in plain_http.text


def test_every_console_form_carries_the_sessions_csrf_token(wechat: WeChatSim, demo: None) -> None:
    _, csrf = _logged_in(wechat.client)
    _pending = wechat.send("family", "绑定"), wechat.send("family", "3栋2单元1502")  # a form to decide
    for path in PAGES:
        html = wechat.client.get(path).text
        forms = re.findall(r'<form[^>]*method="post".*?</form>', html, flags=re.S)
        assert forms or path in ("/console/", "/console/tickets", "/console/proposals"), path
        for form in forms:
            assert f'name="csrf_token" value="{csrf}"' in form, (path, form[:80])


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(
    wechat: WeChatSim, session: Session, demo: None, caplog: pytest.LogCaptureFixture
) -> None:
    request_id = _pending_binding(wechat, session)
    client = wechat.client
    _, csrf = _logged_in(client)
    url = f"/console/bindings/{request_id}/reject"  # a flat not on file: the admin refuses it
    with caplog.at_level(logging.WARNING):
        missing = client.post(url)
        wrong = client.post(url, data={"csrf_token": "0" * 64})
        other = client.post(url, data={"csrf_token": csrf}, headers={"X-CSRF-Token": "forged"})
    for refused in (missing, wrong, other):
        assert refused.status_code == 403 and "操作没有执行" in refused.text and "刷新页面" in refused.text
    assert "CSRF token missing or wrong" in caplog.text
    assert _status(session, request_id) == BindingStatus.pending  # nothing happened
    asked = client.post(url, data={"csrf_token": csrf})  # the console asks once before the resident is told
    assert asked.status_code == 200 and _status(session, request_id) == BindingStatus.pending
    done = confirm(client, asked)
    assert done.status_code == 200 and "已驳回" in done.text
    assert _status(session, request_id) == BindingStatus.rejected


def test_a_post_from_another_site_is_refused_even_with_the_token(
    wechat: WeChatSim, session: Session, demo: None
) -> None:
    request_id = _pending_binding(wechat, session)
    client = wechat.client
    _, csrf = _logged_in(client)
    url = f"/console/bindings/{request_id}/reject"
    for header in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                   {"Referer": "https://evil.example/console/bindings"}):  # fmt: skip
        refused = client.post(url, data={"csrf_token": csrf}, headers=header)
        assert refused.status_code == 403 and "来自其他网站" in refused.text, header
    assert _status(session, request_id) == BindingStatus.pending
    asked = client.post(url, data={"csrf_token": csrf}, headers={"Origin": "http://testserver"})
    ours = confirm(client, asked)
    assert ours.status_code == 200 and "已驳回" in ours.text


def test_the_login_form_has_its_own_csrf_token(wechat: WeChatSim) -> None:
    forged = wechat.client.post("/console/login", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    assert forged.status_code == 403 and "登录页面已过期" in forged.text
    assert not any(c.startswith("hgj_console=") for c in forged.headers.get_list("set-cookie"))


def test_failed_logins_are_throttled_logged_and_audited(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    client = wechat.client
    with caplog.at_level(logging.WARNING, logger="bot.web.auth"):
        answers = [post_login(client, f"wrong-{n}") for n in range(5)]
        assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
        assert "令牌不正确" in answers[0].text
        refused = post_login(client, ADMIN_TOKEN)  # even the right token, while locked out
    assert (
        refused.status_code == 429 and "登录失败次数太多" in refused.text and "15 分钟后再试" in refused.text
    )
    assert refused.headers["retry-after"] == "900"
    assert not any(c.startswith("hgj_console=") for c in refused.headers.get_list("set-cookie"))
    failed = [r for r in caplog.records if "console login failed from testclient" in r.getMessage()]
    assert len(failed) == 5 and all(r.levelno == logging.WARNING for r in failed)
    assert "5 failure(s) in 10 minutes" in failed[-1].getMessage()
    assert any("locked out until" in r.getMessage() for r in caplog.records)
    with Session(engine) as session:
        audited = session.exec(select(AuditEntry).where(AuditEntry.action == "console.login_failed")).all()
    assert len(audited) == 5 and audited[0].detail["client"] == "testclient"
    clock.advance(minutes=14)
    assert post_login(client, ADMIN_TOKEN).status_code == 429
    clock.advance(minutes=1)
    assert post_login(client, ADMIN_TOKEN).status_code == 303


def test_a_successful_login_resets_the_count(wechat: WeChatSim) -> None:
    client = wechat.client
    for n in range(4):
        assert post_login(client, f"wrong-{n}").status_code == 401
    assert post_login(client, ADMIN_TOKEN).status_code == 303
    for n in range(4):
        assert post_login(client, f"wrong-{n}").status_code == 401  # four more, no lockout yet


def test_guessing_one_token_prefix_from_many_addresses_is_throttled(app_client: TestClient) -> None:
    prefix = ADMIN_TOKEN[:4]
    for n in range(5):
        other = TestClient(app_client.app, client=(f"198.51.100.{n}", 4000))
        post_login(other, f"{prefix}-guess-{n}")
    elsewhere = TestClient(app_client.app, client=("198.51.100.99", 4000))
    locked = post_login(elsewhere, ADMIN_TOKEN)
    assert locked.status_code == 429 and "登录失败次数太多" in locked.text
    fresh = TestClient(app_client.app, client=("198.51.100.100", 4000))
    assert post_login(fresh, "zzzz-another-prefix").status_code == 401  # other prefixes are not held up


def test_odd_tokens_are_just_wrong(wechat: WeChatSim) -> None:
    for token in ("\x00\x01ab", "令牌" * 2000, " "):
        assert post_login(wechat.client, token).status_code == 401


def test_throttling_is_set_in_the_config(wechat: WeChatSim, settings: Settings, clock: ManualClock) -> None:
    settings.console.login_max_failures = 2
    settings.console.login_lockout_minutes = 1
    assert [post_login(wechat.client, "nope").status_code for _ in range(3)] == [401, 429, 429]
    clock.advance(timedelta(minutes=1))
    assert post_login(wechat.client, ADMIN_TOKEN).status_code == 303


@pytest.mark.parametrize(
    ("origin", "host", "trusted", "same"),
    [
        ("https://hgj.example.cn", "hgj.example.cn", [], True),  # behind a TLS proxy: default port
        ("https://hgj.example.cn:443", "hgj.example.cn", [], True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", [], True),
        ("https://hgj.example.cn.evil.example", "hgj.example.cn", [], False),
        ("https://hgj.example.cn:8443", "hgj.example.cn", [], False),
        ("null", "hgj.example.cn", [], False),
        ("https://admin.example.cn", "hgj.example.cn", [], False),
        ("https://admin.example.cn", "hgj.example.cn", ["https://admin.example.cn"], True),
    ],
)
def test_the_origin_must_name_this_host_or_a_trusted_one(
    origin: str, host: str, trusted: list[str], same: bool
) -> None:
    headers = [(b"origin", origin.encode()), (b"host", host.encode())]
    request = Request({"type": "http", "method": "POST", "path": "/console/logout", "headers": headers})
    assert same_origin(request, trusted) is same
