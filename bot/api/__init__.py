"""Admin API under ``/api/v1`` (Bearer token). One module per resource; this one assembles them."""

from __future__ import annotations

from fastapi import APIRouter

from bot.api import (
    activities,
    bindings,
    knowledge,
    ledger,
    notices,
    operations,
    proposals,
    residents,
    rewards,
    tickets,
)


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    for module in (
        bindings,
        residents,
        tickets,
        activities,
        rewards,
        notices,
        ledger,
        operations,
        proposals,
        knowledge,
    ):
        router.include_router(module.router)
    return router
