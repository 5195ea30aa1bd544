"""The outermost layer of every HTTP request: a request id for its log lines, its latency for /metrics.

It wraps the whole app, the ``/wechat`` and ``/wecom`` fast paths included (see
``bot.webhook.WebhookApp.wrap``). The id is the caller's ``X-Request-ID`` when it is a sane one
(nginx can pass ``$request_id``), else a fresh one; it is returned in the response's
``X-Request-ID`` header. The latency is recorded under the route's template, read from the
scope after routing, never under the raw path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Container
from typing import TYPE_CHECKING

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import metrics
from bot.logs import REQUEST_ID, new_request_id

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.clock import Clock
    from bot.settings import Settings
    from bot.webhook import WebhookApp

log = logging.getLogger("hgj.access")
HEADER = b"x-request-id"


class Observe:
    def __init__(self, app: ASGIApp, *, fast_paths: Container[str], access_log: bool = False) -> None:
        """``fast_paths``: paths whose POST is served before routing (the route is the path)."""
        self.app = app
        self.fast_paths = fast_paths
        self.access_log = access_log
        self._full_paths: dict[int, str] | None = None  # filled at the first request (routes are set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id(_header(scope, HEADER))
        token = REQUEST_ID.set(request_id)
        status = 500  # unless the app answers: an exception escaping it is a 500 for the client
        root_path = scope.get("root_path", "")
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = self.template(scope, root_path)
            metrics.observe_request(route=route, method=scope["method"], status=status, seconds=seconds)
            if self.access_log:
                log.info(
                    "%s %s %d %.1f ms",
                    scope["method"],
                    scope["path"],
                    status,
                    seconds * 1000,
                    extra={"route": route, "status": status, "duration_ms": round(seconds * 1000, 1)},
                )
            REQUEST_ID.reset(token)

    def template(self, scope: Scope, root_path: str) -> str:
        """``/api/v1/tickets/{ticket_id}`` for ``/api/v1/tickets/17``; ``unmatched`` when no route served it."""
        route = scope.get("route")
        if route is None:
            return scope["path"] if scope["path"] in self.fast_paths else "unmatched"
        if self._full_paths is None:
            self._full_paths = _full_paths(scope.get("app"))
        full = self._full_paths.get(id(route))
        if full is not None:
            return full
        prefix = str(scope.get("root_path", ""))[len(root_path) :]  # mounts add theirs on the way in
        if isinstance(route, Mount):
            return f"{prefix}/{{path}}"
        return prefix + str(getattr(route, "path_format", None) or getattr(route, "path", "unmatched"))


def _full_paths(app: object) -> dict[int, str]:
    """Route object → its full path template. FastAPI ≥ 0.16x keeps an included router's routes
    with their own short paths (``/tickets/{ticket_id}``) and adds the prefixes while matching;
    ``iter_route_contexts`` gives the full ones. A route included twice has no single answer."""
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined]
    except ImportError:  # older FastAPI: routes carry their full paths
        return {}
    found: dict[int, str] = {}
    ambiguous: set[int] = set()
    for context in iter_route_contexts(getattr(app, "routes", [])):
        key, path = id(context.original_route), context.path_format
        if key in found and found[key] != path:
            ambiguous.add(key)
        if path:
            found[key] = path
    return {key: path for key, path in found.items() if key not in ambiguous}


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def install(app: WebhookApp, settings: Settings, *, engine: Engine, clock: Clock) -> None:
    """``GET /metrics`` (unless ``[metrics] enabled = false``) and the request-id/latency layer."""
    if settings.metrics.enabled:
        registry = metrics.app_registry(engine, clock)
        app.include_router(metrics.metrics_router(registry, token=settings.metrics.token))
    app.wrap(lambda inner: Observe(inner, fast_paths=app.fast_webhooks, access_log=settings.log.access))
