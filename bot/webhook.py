"""POST /wechat and /wecom served straight from ASGI, ahead of FastAPI's middleware and routing.

These two endpoints are the hot path (WeChat waits five seconds at most, then retries) and use
none of FastAPI's features: no dependencies, no validation, no OpenAPI. So the app hands them
their bytes directly: read the body within the size limit, call the channel's receiver, send
its answer. A rejected request (``WireError``) gets its status and one line of text, as from
the exception handler; anything unexpected is logged and answered with a bare 500. Every other
request goes through FastAPI as usual.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.errors import BadPayload, WireError

log = logging.getLogger(__name__)

XML = "application/xml"
TEXT = "text/plain; charset=utf-8"

# (body, query parameters) -> (answer, its media type)
Receiver = Callable[[bytes, dict[str, str]], Awaitable[tuple[bytes, str]]]


@dataclass(frozen=True)
class Webhook:
    receiver: Receiver
    max_body_bytes: int


async def collect_body(chunks: AsyncIterator[bytes], *, declared: str, limit: int) -> bytes:
    """The request body, refusing to buffer more than ``limit`` bytes."""
    if declared.isdigit() and int(declared) > limit:
        raise BadPayload(f"body of {declared} bytes exceeds the {limit}-byte limit")
    parts, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BadPayload(f"body exceeds the {limit}-byte limit")
        parts.append(chunk)
    return b"".join(parts)


class WebhookApp(FastAPI):
    """The FastAPI app, with ``POST`` to the paths in ``fast_webhooks`` answered before any middleware.

    Not ``webhooks``: FastAPI owns that attribute (an ``APIRouter`` of OpenAPI webhooks, read
    when ``/openapi.json`` is generated).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fast_webhooks: dict[str, Webhook] = {}
        self._entry: ASGIApp = self._route

    def wrap(self, layer: Callable[[ASGIApp], ASGIApp]) -> None:
        """Put ``layer`` around everything, the fast webhooks included (``add_middleware`` only
        reaches FastAPI's routes). The last one wrapped is the outermost."""
        self._entry = layer(self._entry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._entry(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        webhook = self.fast_webhooks.get(scope["path"]) if scope["type"] == "http" else None
        if webhook is None or scope["method"] != "POST":
            await super().__call__(scope, receive, send)
            return
        await serve(webhook, scope, receive, send)


async def serve(webhook: Webhook, scope: Scope, receive: Receive, send: Send) -> None:
    """One webhook request: its answer, a refusal with its status, or a bare 500 (logged)."""
    params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    try:
        body = await collect_body(
            _chunks(receive), declared=_header(scope, b"content-length"), limit=webhook.max_body_bytes
        )
        content, media_type = await webhook.receiver(body, params)
        status = 200
    except WireError as exc:
        log.warning("POST %s rejected (%d): %s", scope["path"], exc.status_code, exc)
        content, media_type, status = str(exc).encode("utf-8"), TEXT, exc.status_code
    except Exception:
        log.exception("POST %s failed", scope["path"])
        content, media_type, status = b"Internal Server Error", TEXT, 500
    headers = [(b"content-type", media_type.encode()), (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BadPayload("the client went away before sending the whole body")
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""
