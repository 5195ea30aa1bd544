"""The web console: server-rendered pages and their static assets (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot.web import activities, dashboard, knowledge, ledger, notices, pages, tickets

STATIC = Path(__file__).resolve().parent / "static"


def mount_console(app: FastAPI) -> None:
    for module in (pages, dashboard, tickets, notices, activities, knowledge, ledger):
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
