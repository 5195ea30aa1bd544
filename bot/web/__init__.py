"""The web console: server-rendered pages and their static assets (no CDN).

Every console route runs ``console_guard`` first (sessions and CSRF, see ``bot.web.sessions``);
a refused request is answered with a short Chinese page, and a form outside its bounds with
the page it came from and the reason (``bot.web.fields``). 403/404/405/422/500 under ``/console``
are Chinese pages too (``bot.web.errors``); the API keeps its JSON.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.web import (
    activities,
    audit,
    auth,
    dashboard,
    exports,
    intake,
    knowledge,
    ledger,
    notices,
    outbox_page,
    pages,
    party,
    people_admin,
    proposals,
    record_exports,
    residents,
    rewards,
    statistics,
    ticket_list,
    ticket_work,
    tickets,
    topics,
)
from bot.web.common import templates
from bot.web.errors import console_http_error, console_server_error
from bot.web.fields import console_form_refused
from bot.web.sessions import ConsoleRefused, console_guard

STATIC = Path(__file__).resolve().parent / "static"


async def _refused(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, ConsoleRefused)
    return templates.TemplateResponse(
        request, "refused.html", {"message": exc.message}, status_code=exc.status_code
    )


def mount_console(app: FastAPI) -> None:
    # exports and ticket_list before tickets: /tickets/export.xlsx and /tickets/new before /tickets/{ticket_id};
    # record_exports before residents: /residents/export.xlsx before /residents/{person_id}
    routers = (
        auth,
        pages,
        dashboard,
        statistics,
        exports,
        record_exports,
        intake,
        ticket_list,
        tickets,
        ticket_work,
        notices,
        activities,
        rewards,
        knowledge,
        ledger,
        proposals,
        residents,
        people_admin,
        outbox_page,
        party,
        topics,
        audit,
    )
    for module in routers:
        app.include_router(module.router, dependencies=[Depends(console_guard)])
    app.add_exception_handler(ConsoleRefused, _refused)
    app.add_exception_handler(RequestValidationError, console_form_refused)  # the API's stay JSON
    app.add_exception_handler(StarletteHTTPException, console_http_error)  # likewise
    app.add_exception_handler(Exception, console_server_error)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
