"""Admin API under ``/api/v1`` (Bearer token). One module per resource; this one assembles them."""

from __future__ import annotations

from fastapi import APIRouter

from bot.api import bindings, outbox


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    router.include_router(bindings.router)
    router.include_router(outbox.router)
    return router
