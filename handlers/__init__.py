"""Chat-facing flows, one module (and one Router) per intent; they return replies, never wire XML."""

from __future__ import annotations

from handlers import binding, emergency, fallback, greeting, handoff

ROUTERS = [emergency.router, handoff.router, binding.router, greeting.router, fallback.router]
FALLBACK = fallback.fallback

__all__ = ["FALLBACK", "ROUTERS"]
