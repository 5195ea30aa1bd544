"""The audit log in the console: who did what to which object, with filters and pages (admins only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from bot.api.deps import ReadSessionDep
from bot.api.paging import Page, fetch
from bot.web.common import A, local, page, roles
from models.access import Actor
from models.audit_log import (
    ACTIONS,
    AuditFilter,
    action_label,
    actor_names,
    audit_query,
    object_label,
    shown_actor,
    ticket_codes,
)

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE_SIZE = 50
AdminOnly = Annotated[Actor, Depends(roles(A, what="管理员"))]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    session: ReadSessionDep,
    actor: AdminOnly,
    who: Annotated[str, Query(max_length=200)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    target: Annotated[str, Query(max_length=64)] = "",
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    wanted = AuditFilter(actor=who, action=action, since=_day(since), until=_day(until), target=target)
    rows, total = fetch(session, audit_query(wanted), Page(limit=PAGE_SIZE, offset=offset))
    codes = ticket_codes(session, rows)
    entries: list[dict[str, Any]] = [
        {
            "at": local(row.at, "%Y-%m-%d %H:%M"),
            "who": shown_actor(row),
            "what": action_label(row.action),
            "object": object_label(row.target, codes),
            "detail": _detail(row.detail),
        }
        for row in rows
    ]
    filters = {"who": who, "action": action, "since": since, "until": until, "target": target}
    query = {k: v for k, v in filters.items() if v}

    def link(to: int) -> str:
        return "/console/audit?" + urlencode({**query, "offset": to})

    return page(
        request,
        "audit.html",
        actor,
        session,
        entries=entries,
        total=total,
        actors=actor_names(session),
        actions=ACTIONS,
        first=offset + 1 if entries else 0,
        last=offset + len(entries),
        newer=link(max(0, offset - PAGE_SIZE)) if offset > 0 else "",
        older=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < total else "",
        **filters,
    )


def _detail(detail: dict[str, Any]) -> str:
    """The row's details in one short line: 「备注：重复报修」 stays readable, the rest as key=value."""
    words = {"note": "备注", "to": "交给", "client": "地址", "rows": "行数", "pushes": "推送"}
    parts = [f"{words.get(k, k)}：{v}" for k, v in detail.items() if v not in ("", None, [], {})]
    return "；".join(parts)[:200]
