"""Console sessions over HTTP: the session cookie, who is logged in, and the one CSRF guard.

:func:`console_guard` runs first on every console route (``mount_console`` adds it to each router).
It finds the request's session: the ``hgj_console`` cookie holds only a random session id
(HttpOnly, SameSite=Strict, Secure with ``[console] secure_cookies``), never the API token; see
``models.console_sessions``. On POST/PUT/PATCH/DELETE it then refuses, with a 403 page:

- an ``Origin`` (or, without one, a ``Referer``) naming another site, when the header is present;
- a missing or wrong CSRF token: the session's, sent as the hidden ``csrf_token`` field every
  console form carries (or an ``X-CSRF-Token`` header). The login form, before any session,
  carries a token tied to its own short cookie instead.

A state-changing request without a live session goes to the login page, as pages do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, status
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from bot.api.deps import token_hash_actor
from bot.db import is_busy, no_wait, reader, write_lock
from bot.settings import Settings
from models.access import Actor
from models.console_sessions import LOGIN_CSRF_LABEL, Lifetimes, csrf_matches, csrf_token, live_session, touch
from models.login_throttle import ThrottlePolicy

log = logging.getLogger(__name__)

COOKIE = "hgj_console"
COOKIE_PATH = "/console"
LOGIN_COOKIE = "hgj_console_login"
LOGIN_PATH = "/console/login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

_UNSET = object()

STALE_FORM = "页面已过期或表单不完整（缺少安全校验码），这次操作没有执行。请回到控制台刷新页面后重新提交。"
FOREIGN_ORIGIN = "这个请求来自其他网站，为了安全已拒绝，操作没有执行。请直接在红管家控制台里操作。"
STALE_LOGIN = "登录页面已过期，请刷新后重新登录。"
HTTPS_ONLY = "（控制台设置为只在 HTTPS 下保持登录：请确认地址以 https:// 开头。）"


class ConsoleRefused(Exception):
    """A console request refused for safety; rendered as a Chinese page (see ``bot.web``)."""

    def __init__(self, message: str, *, status_code: int = status.HTTP_403_FORBIDDEN) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class Login:
    """A live console session: its row, the actor it stands for, and its CSRF token."""

    session_id: int
    secret: str
    actor: Actor
    csrf: str


def lifetimes(settings: Settings) -> Lifetimes:
    return Lifetimes(
        idle=timedelta(minutes=settings.console.session_idle_minutes),
        absolute=timedelta(hours=settings.console.session_lifetime_hours),
    )


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    return ThrottlePolicy(
        max_failures=settings.console.login_max_failures,
        window=timedelta(minutes=settings.console.login_window_minutes),
        lockout=timedelta(minutes=settings.console.login_lockout_minutes),
    )


def set_cookie(
    response: Response, settings: Settings, name: str, value: str, *, path: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=settings.console.secure_cookies,
    )


def clear_cookie(response: Response, settings: Settings, name: str, *, path: str) -> None:
    response.delete_cookie(
        name, path=path, httponly=True, samesite="strict", secure=settings.console.secure_cookies
    )


def current_login(request: Request) -> Login | None:
    """The request's live session (looked up once per request), or None."""
    cached = getattr(request.state, "console_login", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[no-any-return]
    found = _find(request)
    request.state.console_login = found
    if found is not None:
        request.state.csrf_token = found.csrf
    return found


def _find(request: Request) -> Login | None:
    secret = request.cookies.get(COOKIE, "")
    if not secret:
        return None
    engine: Engine = request.app.state.engine
    settings: Settings = request.app.state.settings
    now = request.app.state.clock.now()
    spans = lifetimes(settings)
    with Session(reader(engine)) as session:
        record = live_session(session, secret, now=now, lifetimes=spans)
        actor = token_hash_actor(request, session, record.token_hash) if record else None
    if record is None or record.id is None or actor is None:
        return None
    if now - record.last_seen_at >= spans.touch_every:
        _touch(engine, session_id=record.id, now=now)
    return Login(session_id=record.id, secret=secret, actor=actor, csrf=csrf_token(secret))


def _touch(engine: Engine, *, session_id: int, now: datetime) -> None:
    """Note the session's use; best effort, so a busy database never holds up a page view."""
    gate = write_lock(engine)
    if gate is not None and not gate.acquire(blocking=False):
        return
    try:
        with Session(no_wait(engine)) as session, session.begin():
            touch(session, session_id=session_id, now=now)
    except OperationalError as exc:
        if not is_busy(exc):
            raise
    finally:
        if gate is not None:
            gate.release()


def login_required() -> HTTPException:
    return HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": LOGIN_PATH})


def _site(url: str) -> tuple[str, int | None] | None:
    """(host, port) of a URL or of a Host header ("example.cn:8000"); default ports are None."""
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    if port in (80, 443) and parts.scheme in ("", "http" if port == 80 else "https"):
        port = None
    return parts.hostname.lower(), port


def same_origin(request: Request, trusted: list[str]) -> bool:
    """True unless an Origin (or, lacking one, a Referer) header names another site than this
    one (the Host the browser asked for) or one of ``[console] trusted_origins``."""
    origin = request.headers.get("origin")
    source = origin if origin is not None else request.headers.get("referer")
    if source is None:
        return True  # no header (some clients send none): the CSRF token alone decides
    if urlsplit(source).scheme not in ("http", "https"):
        return False  # also Origin: null (a sandboxed page, a data: or file: URL)
    site = _site(source)
    allowed = {_site(request.headers.get("host", ""))} | {_site(t) for t in trusted}
    return site is not None and site in allowed


async def _given_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return ""
    value = (await request.form()).get(CSRF_FIELD)  # FastAPI has parsed it already: cached
    return value if isinstance(value, str) else ""


async def console_guard(request: Request) -> None:
    """The console's session lookup and CSRF check, run before every console route."""
    if request.method not in UNSAFE:
        await run_in_threadpool(current_login, request)
        return
    settings: Settings = request.app.state.settings
    where = f"{request.method} {request.url.path} from {request.client.host if request.client else '?'}"
    if not same_origin(request, settings.console.trusted_origins):
        source = request.headers.get("origin") or request.headers.get("referer")
        log.warning("console: %s refused: it comes from another site (%r)", where, source)
        raise ConsoleRefused(FOREIGN_ORIGIN)
    given = await _given_token(request)
    if request.url.path == LOGIN_PATH:
        if not csrf_matches(request.cookies.get(LOGIN_COOKIE, ""), given, label=LOGIN_CSRF_LABEL):
            log.warning("console: %s refused: the login form's CSRF token is missing or wrong", where)
            plain = settings.console.secure_cookies and request.url.scheme != "https"
            raise ConsoleRefused(STALE_LOGIN + (HTTPS_ONLY if plain else ""))
        return
    login = await run_in_threadpool(current_login, request)
    if login is None:
        raise login_required()
    if not csrf_matches(login.secret, given):
        log.warning("console: %s by %s refused: CSRF token missing or wrong", where, login.actor.tag)
        raise ConsoleRefused(STALE_FORM)
