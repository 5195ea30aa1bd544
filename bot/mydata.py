"""``GET /me/export/{token}``: a resident's own data, opened from the link the bot sends in chat.

A page made for a phone (WeChat's built-in browser) with everything ``export_person`` gathers,
and the same data as a JSON download (``?format=json``) for keeping or taking elsewhere. The
token is the only credential (see ``bot.export_links``); nothing is cached, indexed or
referred onwards. Reading takes no write lock: opening a link never holds up the chat.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from bot.db import reader
from bot.export_links import person_for_token
from models.base import LOCAL_TZ
from models.community import default_community
from models.personal_data import export_person

SHOWN = 200  # messages listed on the page; the JSON has them all
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def _when(value: str | None) -> str:
    if not value:
        return ""
    return f"{datetime.fromisoformat(value).astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


templates.env.filters["when"] = _when
router = APIRouter(tags=["personal data"], include_in_schema=False)


def _load(request: Request, token: str) -> tuple[dict[str, Any] | None, str, datetime]:
    state = request.app.state
    now = state.clock.now()
    with Session(reader(state.engine)) as session:
        person = person_for_token(session, state.settings, token, now=now)
        community = default_community(session)
        data = export_person(session, person, now=now) if person is not None else None
    return data, community.name if community else "红管家", now


@router.get("/me/export/{token}", response_class=HTMLResponse)
async def my_export(
    request: Request, token: str, format_: Annotated[str, Query(alias="format", max_length=8)] = "html"
) -> Response:
    data, community, _ = await run_in_threadpool(_load, request, token[:200])
    if data is not None and format_ == "json":
        body = json.dumps(data, ensure_ascii=False, indent=1)
        headers = {**HEADERS, "Content-Disposition": 'attachment; filename="my-data.json"'}
        return Response(body, media_type="application/json; charset=utf-8", headers=headers)
    expires = ""
    if data is not None:
        stamp = int(token.split(".")[1])
        expires = f"{datetime.fromtimestamp(stamp, LOCAL_TZ):%m月%d日 %H:%M}"
    return templates.TemplateResponse(
        request,
        "my_data.html",
        {"data": data or {"generated_at": None}, "gone": data is None, "community": community, "shown": SHOWN,
         "expires": expires},
        status_code=200 if data is not None else 404,
        headers=HEADERS,
    )  # fmt: skip
