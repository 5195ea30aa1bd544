"""Logging for servers and workers: text or one JSON object a line, tagged with a request id.

Every HTTP request gets an id (``X-Request-ID`` when the caller sent a sane one, else a fresh
one; see ``bot.observe``). It lives in a context variable, so every line logged while handling
the request carries it: in the event loop, in FastAPI's thread pool (which copies the context),
and in the chat pipeline's worker threads, to which ``bot.batching`` hands the context on. Chat
messages are handled in batches, so a line about one message also carries that message's dedupe
key (``message_key``) and that message's own request id; a line about the whole batch carries all
of its request ids joined by commas.

The JSON formatter is the standard library's ``logging`` plus ``json.dumps``: a handful of
lines, no extra dependency (python-json-logger would add one for what these do), and field names
and Chinese text (``ensure_ascii=False``) as we want them.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import LogSettings

REQUEST_ID: ContextVar[str] = ContextVar("hgj_request_id", default="")
MESSAGE_KEY: ContextVar[str] = ContextVar("hgj_message_key", default="")
# In a batch of chat messages: each message's request id, by the message's dedupe key.
REQUEST_OF: ContextVar[Mapping[str, str]] = ContextVar("hgj_request_of", default=MappingProxyType({}))
_SANE_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
# What every LogRecord has; anything else on a record came from ``extra=`` and is logged too.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "message_key",
    "context",
    "taskName",
}


# Fresh ids: a random per-process prefix and a counter, unique without a system call per request
# (uuid4 reads the kernel's random source each time: a tenth of the webhook's own overhead).
_PREFIX = secrets.token_hex(6)
_NEXT = itertools.count(1)


def new_request_id(incoming: str = "") -> str:
    """The caller's id when it is a plausible one (no spaces, quotes or control characters,
    at most 128 characters, so it cannot forge log lines), else a fresh one."""
    if incoming and _SANE_ID.fullmatch(incoming):
        return incoming
    return f"{_PREFIX}{next(_NEXT):08x}"


class ContextFilter(logging.Filter):
    """Copies the request id and message key onto every record passing the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        record.message_key = MESSAGE_KEY.get()
        parts = [f"rid={record.request_id}"] if record.request_id else []
        if record.message_key:
            parts.append(f"msg={record.message_key}")
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, message key, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "message_key"):
            value = getattr(record, key, "")
            if value:
                entry[key] = value
        entry["thread"] = record.threadName
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"


def make_handler(settings: LogSettings, stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(settings: LogSettings, stream: Any = None) -> None:
    """The root logger writes to stderr in the configured format (replacing its handlers), so
    uvicorn's, APScheduler's and our own lines come out alike."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(make_handler(settings, stream))
    root.setLevel(settings.level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job run is noise
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per push, access token in the URL
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
