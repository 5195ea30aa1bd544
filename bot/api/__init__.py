"""Admin API under ``/api/v1`` (Bearer token). One module per resource; this one assembles them."""

from __future__ import annotations

from fastapi import APIRouter

from bot.api import bindings, ledger, notices, operations, proposals


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    router.include_router(bindings.router)
    router.include_router(proposals.router)
    router.include_router(notices.router)
    router.include_router(ledger.router)
    router.include_router(operations.router)
    return router
