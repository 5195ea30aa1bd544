"""Chat-facing flows, one module (and one Router) per intent; they return replies, never wire XML."""

from __future__ import annotations

from handlers import binding, consult, emergency, fallback, greeting, handoff, points, volunteer

ROUTERS = [
    emergency.router,
    handoff.router,
    binding.router,
    greeting.router,
    consult.router,
    volunteer.router,
    points.router,
    fallback.router,
]
FALLBACK = fallback.fallback

__all__ = ["FALLBACK", "ROUTERS"]
