"""Console login and logout: an API token opens a server-side session; failed logins are throttled.

The token is checked once, at login; the browser then holds only the session's random id (see
``bot.web.sessions``). Each failed login is logged and audited; after ``[console]
login_max_failures`` within ``login_window_minutes`` from one address, or with one token prefix,
further attempts are refused for ``login_lockout_minutes`` without looking at the token. Logout
revokes the session on the server, so the old cookie opens nothing.
"""

from __future__ import annotations

import logging
import math
import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session

from bot.api.deps import token_actor
from bot.db import lock_keys, write_gate
from bot.settings import Settings
from bot.web.common import templates
from bot.web.sessions import (
    COOKIE,
    COOKIE_PATH,
    LOGIN_COOKIE,
    LOGIN_PATH,
    clear_cookie,
    current_login,
    lifetimes,
    login_required,
    set_cookie,
    throttle_policy,
)
from models.access import audit, hash_token, token_id_for_hash
from models.actors import login_attempt
from models.console_sessions import LOGIN_CSRF_LABEL, csrf_token, end_session, open_session
from models.login_throttle import Attempt, begin_attempt, failures, lock_names, locked_until, succeeded

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console", include_in_schema=False)

WRONG_TOKEN = "令牌不正确或已失效。"
LOCKED = "登录失败次数太多，已暂停登录。请 {minutes} 分钟后再试；如忘记令牌，请联系管理员重新发放。"


def _login_page(request: Request, *, error: str = "", status_code: int = status.HTTP_200_OK) -> HTMLResponse:
    """The login form, with a CSRF token tied to a cookie of its own (kept while it is valid)."""
    settings: Settings = request.app.state.settings
    secret = request.cookies.get(LOGIN_COOKIE, "")
    if len(secret) < 32:
        secret = secrets.token_urlsafe(32)
    request.state.csrf_token = csrf_token(secret, label=LOGIN_CSRF_LABEL)
    response = templates.TemplateResponse(request, "login.html", {"error": error}, status_code=status_code)
    max_age = settings.console.session_lifetime_hours * 3600
    set_cookie(response, settings, LOGIN_COOKIE, secret, path=LOGIN_PATH, max_age=max_age)
    return response


def _locked_page(request: Request, until: datetime, now: datetime) -> HTMLResponse:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    response = _login_page(
        request, error=LOCKED.format(minutes=minutes), status_code=status.HTTP_429_TOO_MANY_REQUESTS
    )
    response.headers["Retry-After"] = str(max(1, math.ceil((until - now).total_seconds())))
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    token = token.strip()
    engine: Engine = request.app.state.engine
    settings: Settings = request.app.state.settings
    now = request.app.state.clock.now()
    client = request.client.host if request.client else "unknown"
    policy = throttle_policy(settings)
    with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
        lock_keys(session, lock_names(client=client, token=token))
        attempt = begin_attempt(session, client=client, token=token, now=now, policy=policy)
    if attempt.locked_until is not None:
        log.warning(
            "console login refused: %s (token %s…) is locked out until %s",
            client,
            attempt.account,
            attempt.locked_until.isoformat(),
        )
        return _locked_page(request, attempt.locked_until, now)
    actor = token_actor(request, token)
    if actor is None:
        return _failed(request, engine, attempt, now)
    with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
        succeeded(session, attempt=attempt)
        if previous := request.cookies.get(COOKIE):
            end_session(session, previous, now=now)  # this browser's earlier session, if any
        token_hash = hash_token(token)
        secret = open_session(
            session,
            token_hash=token_hash,
            token_id=token_id_for_hash(session, token_hash),
            actor=actor.tag,
            client=client,
            now=now,
            lifetimes=lifetimes(settings),
        )
        audit(session, actor=actor, action="console.login", now=now, target="console", client=client)
    log.info("console login: %s from %s", actor.tag, client)
    response = RedirectResponse("/console/", status_code=status.HTTP_303_SEE_OTHER)
    max_age = settings.console.session_lifetime_hours * 3600
    set_cookie(response, settings, COOKIE, secret, path=COOKIE_PATH, max_age=max_age)
    clear_cookie(response, settings, LOGIN_COOKIE, path=LOGIN_PATH)
    return response


def _failed(request: Request, engine: Engine, attempt: Attempt, now: datetime) -> HTMLResponse:
    """A wrong token: its failure is already counted; audit and log it, and say when it locks."""
    policy = throttle_policy(request.app.state.settings)
    with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
        count = failures(session, client=attempt.client, now=now, policy=policy)
        until = locked_until(session, client=attempt.client, account=attempt.account, now=now, policy=policy)
        audit(
            session,
            actor=login_attempt(attempt.client),
            action="console.login_failed",
            now=now,
            target=f"token:{attempt.account}…",
            client=attempt.client,
            failures=count,
            locked=until is not None,
        )
    log.warning(
        "console login failed from %s (token %s…): %d failure(s) in %d minutes%s",
        attempt.client,
        attempt.account,
        count,
        int(policy.window.total_seconds() // 60),
        f"; locked out until {until.isoformat()}" if until else "",
    )
    if until is not None:
        return _locked_page(request, until, now)
    return _login_page(request, error=WRONG_TOKEN, status_code=status.HTTP_401_UNAUTHORIZED)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session on the server (the guard has checked its CSRF token) and drop the cookie."""
    login = current_login(request)
    if login is None:
        raise login_required()
    engine: Engine = request.app.state.engine
    settings: Settings = request.app.state.settings
    now = request.app.state.clock.now()
    with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
        end_session(session, login.secret, now=now)
        audit(session, actor=login.actor, action="console.logout", now=now, target="console")
    log.info("console logout: %s", login.actor.tag)
    response = RedirectResponse(LOGIN_PATH, status_code=status.HTTP_303_SEE_OTHER)
    clear_cookie(response, settings, COOKIE, path=COOKIE_PATH)
    return response
