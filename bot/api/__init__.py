"""Admin API under ``/api/v1`` (Bearer token). One module per resource; this one assembles them."""

from __future__ import annotations

from fastapi import APIRouter

from bot.api import (
    activities,
    audit,
    bindings,
    evaluations,
    knowledge,
    ledger,
    notices,
    operations,
    outbox,
    people,
    proposals,
    residents,
    rewards,
    tickets,
    visits,
    wishes,
)

MODULES = (
    bindings,
    residents,
    tickets,
    activities,
    visits,
    wishes,
    rewards,
    notices,
    ledger,
    operations,
    proposals,
    evaluations,
    knowledge,
    outbox,
    people,
    audit,
)


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    for module in MODULES:
        router.include_router(module.router)
    return router
