"""Chat-facing flows, one module (and one Router) per intent; they return replies, never wire XML."""

from __future__ import annotations

from handlers import (
    binding,
    consult,
    dispute,
    emergency,
    fallback,
    greeting,
    handoff,
    progress,
    repair,
    worker,
)

ROUTERS = [
    emergency.router,
    handoff.router,
    binding.router,
    worker.router,
    repair.router,
    dispute.router,
    progress.router,
    greeting.router,
    consult.router,
    fallback.router,
]
FALLBACK = fallback.fallback

__all__ = ["FALLBACK", "ROUTERS"]
