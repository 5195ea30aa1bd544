"""What every console page shares: who is logged in, which roles see what, rendering and redirects.

Templates get ``csrf_token`` (the session's, see ``bot.web.sessions``) and ``csrf_field()``, the
hidden input every ``<form method="post">`` must carry.
"""

from __future__ import annotations

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
    ("/console/tickets", "工单", EVERYONE),
    ("/console/notices", "公告", OFFICE),
    ("/console/activities", "活动与积分", DESK),
    ("/console/bindings", "居民与绑定", OFFICE),
    ("/console/proposals", "小区议事", OFFICE),
    ("/console/knowledge", "知识库", OFFICE),
    ("/console/ledger", "三公开", OFFICE),
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


def page(request: Request, template: str, actor: Actor, session: Session, **context: Any) -> HTMLResponse:
    community = default_community(session)
    return templates.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "is_admin": actor.role == A,
            "role_name": ROLE_NAMES[actor.role],
            "community": community.name if community else "红管家",
            "nav": [(href, label) for href, label, roles in NAV if actor.role in roles],
            "active": request.url.path,
            "flash": request.query_params.get("ok", ""),
            "error": request.query_params.get("error", ""),
            **context,
        },
    )


def back(path: str, **message: str) -> Response:
    """Redirect after a form post, carrying a one-line message."""
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}{urlencode(message)}", status_code=status.HTTP_303_SEE_OTHER)


def local(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return moment.astimezone(LOCAL_TZ).strftime(fmt) if moment else ""


templates.env.filters["local"] = local
