"""The operations an app really serves, read from its routes on any FastAPI version.

Since FastAPI 0.137 ``app.routes`` keeps each included router as one opaque node instead of
copying its routes in, so a plain ``for route in app.routes`` sees none of ``/api/v1``.
``fastapi.routing.iter_route_contexts`` (0.137.2+) expands those nodes with their prefixes;
older versions list the routes flat.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # FastAPI < 0.137: app.routes is already flat
    iter_route_contexts = None


def _api_routes(app: FastAPI) -> Iterator[tuple[str, set[str]]]:
    if iter_route_contexts is None:
        for route in app.routes:
            if isinstance(route, APIRoute):
                yield route.path, set(route.methods)
        return
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path:
            yield context.path, set(context.methods or ())


def served_operations(app: FastAPI, *, prefix: str = "/") -> set[tuple[str, str]]:
    """``(METHOD, path)`` of every path operation the app serves under ``prefix``."""
    return {
        (method, path) for path, methods in _api_routes(app) if path.startswith(prefix) for method in methods
    }
