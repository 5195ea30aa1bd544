"""A size limit on every request body FastAPI reads (admin API, console): 413 naming the limit.

A declared ``Content-Length`` past the limit is refused before anything is read; a body sent
in chunks is cut off as soon as it passes the limit (FastAPI passes the ``HTTPException``
raised while it reads the body on to its handler, which answers ``{"detail": ...}``).
Uploads (CSV imports, knowledge files) may be larger than everything else. The webhooks'
POSTs never come here: ``bot.webhook`` serves them with their own limit.
"""

from __future__ import annotations

import re

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# /api/v1/residents/import, /api/v1/ledger/import, /console/.../import, /api/v1/knowledge-files/NAME
UPLOADS = re.compile(r"/import$|/knowledge-files/[^/]+$")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"request body too large: at most {limit} bytes here")


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if UPLOADS.search(scope["path"]) else self.limit
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(BodyTooLarge(limit), scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge as exc:  # read outside FastAPI's handlers (a middleware, a mounted app)
            if started:
                raise
            await _refuse(exc, scope, receive, send)


async def _refuse(exc: BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse({"detail": exc.detail}, status_code=413)(scope, receive, send)
