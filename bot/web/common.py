"""What every console page shares: who is logged in, which roles see what, rendering and redirects.

Templates get ``csrf_token`` (the session's, see ``bot.web.sessions``) and ``csrf_field()``, the
hidden input every ``<form method="post">`` must carry.

The one-line message after a form post (``back(path, ok=…)`` / ``error=…``, and per-field reasons)
travels in a short-lived cookie that the next page shows once and clears: never in the URL, so
no link can put its own words into the console's banner.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup
from sqlmodel import Session

from bot.web.sessions import CSRF_FIELD, current_login, login_required
from models.access import Actor, ApiRole
from models.base import LOCAL_TZ
from models.community import default_community


def _csrf(request: Request) -> dict[str, str]:
    return {"csrf_token": getattr(request.state, "csrf_token", "")}


@pass_context
def csrf_field(context: Any) -> Markup:
    """The hidden CSRF input for a console form."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, context.get("csrf_token", "")
    )


templates = Jinja2Templates(
    directory=Path(__file__).resolve().parent / "templates", context_processors=[_csrf]
)
templates.env.globals["csrf_field"] = csrf_field

A, S, T, G = ApiRole.admin, ApiRole.secretary, ApiRole.staff, ApiRole.grid_worker
OFFICE = (A, S)
DESK = (A, S, T)
EVERYONE = (A, S, T, G)
NAV = [
    ("/console/", "概览", EVERYONE),
    ("/console/stats", "统计", EVERYONE),
    ("/console/tickets", "工单", EVERYONE),
    ("/console/notices", "公告", OFFICE),
    ("/console/activities", "志愿活动", DESK),
    ("/console/rewards", "爱心屋", DESK),
    ("/console/bindings", "居民与绑定", OFFICE),
    ("/console/residents", "居民查询", OFFICE),
    ("/console/proposals", "小区议事", OFFICE),
    ("/console/wishes", "微心愿", OFFICE),
    ("/console/topics", "三级议事", OFFICE),
    ("/console/party", "党组织与党员", OFFICE),
    ("/console/knowledge", "知识库", OFFICE),
    ("/console/ledger", "三公开", OFFICE),
    ("/console/people", "人员与令牌", (A,)),
    ("/console/outbox", "消息发送", OFFICE),
    ("/console/audit", "操作记录", (A,)),
]
ROLE_NAMES = {A: "管理员", S: "书记", T: "物业", G: "网格员"}


def console_actor(request: Request) -> Actor:
    """The actor of the request's console session; no live session goes to the login page."""
    login = current_login(request)
    if login is None:
        raise login_required()
    return login.actor


def roles(*roles: ApiRole, what: str) -> Any:
    def check(actor: Annotated[Actor, Depends(console_actor)]) -> Actor:
        if actor.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"这个页面只对{what}开放。")
        return actor

    return check


ConsoleDep = Annotated[Actor, Depends(console_actor)]
OfficeDep = Annotated[Actor, Depends(roles(*OFFICE, what="社区管理员和书记"))]
DeskDep = Annotated[Actor, Depends(roles(*DESK, what="社区管理员、书记和物业"))]


def require_admin(actor: Actor) -> None:
    if actor.role != A:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="只有管理员可以执行此操作。")


FLASH_COOKIE = "hgj_flash"
FLASH_PATH = "/console"
FLASH_LIMIT = 400  # characters of one message; the cookie stays well under 4 KB


def _flash_value(message: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(message, ensure_ascii=False).encode()).decode()


def read_flash(request: Request) -> dict[str, Any]:
    """The message a redirect left for this page: ``ok``, ``error`` and ``fields`` (name → reason)."""
    raw = request.cookies.get(FLASH_COOKIE, "")
    try:
        found = json.loads(base64.urlsafe_b64decode(raw.encode())) if raw else {}
    except (binascii.Error, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    fields = found.get("fields") if isinstance(found.get("fields"), dict) else {}
    return {
        "ok": str(found.get("ok", "")),
        "error": str(found.get("error", "")),
        "fields": {str(k): str(v) for k, v in fields.items()},
        "action": str(found.get("action", "")),
    }


def page(request: Request, template: str, actor: Actor, session: Session, **context: Any) -> HTMLResponse:
    community = default_community(session)
    flash = read_flash(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "is_admin": actor.role == A,
            "role_name": ROLE_NAMES[actor.role],
            "community": community.name if community else "红管家",
            "nav": [(href, label) for href, label, roles in NAV if actor.role in roles],
            "active": request.url.path,
            "flash": flash.get("ok", ""),
            "error": flash.get("error", ""),
            "field_errors": flash.get("fields", {}),
            "field_action": flash.get("action", ""),
            **context,
        },
    )
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path=FLASH_PATH, httponly=True, samesite="strict")
    return response


def _short(text: str) -> str:
    return text if len(text) <= FLASH_LIMIT else text[: FLASH_LIMIT - 1] + "…"


def back(
    path: str,
    *,
    ok: str = "",
    error: str = "",
    fields: dict[str, str] | None = None,
    action: str = "",
    **query: str,
) -> Response:
    """Redirect after a form post; the next page shows ``ok`` or ``error`` once, and each of
    ``fields`` (name → reason) next to its input in the form posting to ``action``. Other
    keywords are query parameters of ``path``."""
    sep = "&" if "?" in path else "?"
    target = f"{path}{sep}{urlencode(query)}" if query else path
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    message = {"ok": _short(ok), "error": _short(error), "fields": fields or {}, "action": action}
    if ok or error or fields:
        response.set_cookie(
            FLASH_COOKIE,
            _flash_value(message),
            max_age=120,
            path=FLASH_PATH,
            httponly=True,
            samesite="strict",
        )
    return response


def local(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return moment.astimezone(LOCAL_TZ).strftime(fmt) if moment else ""


templates.env.filters["local"] = local
