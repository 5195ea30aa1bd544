"""Remembering signed webhook triples for the replay window, in one process or in the database.

WeChat's plain ``signature`` covers (token, timestamp, nonce) and no body. The same triple with
the same body is WeChat retrying (dedupe answers it); with another body it is a replay and is
refused. On SQLite the service is one process (see deploy/README.md), so its memory is enough;
on PostgreSQL several web processes share the database, so they share what they have seen
through the ``seen_signature`` table (purged by the scheduler, see ``scheduler.signatures``).
The gateway uses either through :class:`ReplayGuard` and :func:`replay_guard`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine

from bot.errors import BadSignature
from models.seen_signatures import remember

log = logging.getLogger(__name__)
Triple = tuple[str, str, str]  # (signature, timestamp, nonce), the timestamp already checked


class ReplayGuard(Protocol):
    blocking: bool  # check() waits on the database: call it off the event loop

    def check(self, triple: Triple, body: bytes, *, now: float) -> None:
        """Remember ``triple`` with ``body``; raise BadSignature if it came before with another body."""


class ReplayMemory:
    """One process's memory of the triples seen (SQLite: the service is one process)."""

    blocking = False

    def __init__(self, window: int) -> None:
        self.window = window
        self._seen: dict[Triple, bytes] = {}
        self._expiry: deque[tuple[float, Triple]] = deque()
        self._lock = threading.Lock()

    def check(self, triple: Triple, body: bytes, *, now: float) -> None:
        digest = hashlib.sha256(body).digest()[:16]
        with self._lock:
            while self._expiry and self._expiry[0][0] < now:
                self._seen.pop(self._expiry.popleft()[1], None)
            known = self._seen.get(triple)
            if known is None:
                self._seen[triple] = digest
                # kept only while the timestamp itself is fresh: older ones are refused anyway
                self._expiry.append((int(triple[1]) + self.window + 1, triple))
            elif known != digest:
                raise _replay()


class SharedReplayMemory:
    """The triples seen by every process on the database (PostgreSQL): one ``INSERT ... ON
    CONFLICT DO NOTHING`` a request, and a read of the stored digest when the triple is known.

    If the database cannot be asked, this process's own memory still refuses what it has seen
    (an outage does not stop chat; the pipeline then answers as it can).
    """

    blocking = True

    def __init__(self, engine: Engine, window: int) -> None:
        self.engine = engine
        self.window = window
        self.local = ReplayMemory(window)

    def check(self, triple: Triple, body: bytes, *, now: float) -> None:
        key = hashlib.sha256("\n".join(triple).encode()).hexdigest()
        digest = hashlib.sha256(body).hexdigest()
        expires_at = datetime.fromtimestamp(int(triple[1]) + self.window + 1, UTC)
        try:
            with self.engine.begin() as connection:
                known = remember(connection, triple_hash=key, body_digest=digest, expires_at=expires_at)
        except Exception as exc:
            log.error("replay check: the database did not answer, this process's memory used: %s", exc)
            self.local.check(triple, body, now=now)
            return
        if known != digest:
            raise _replay()


def replay_guard(engine: Engine, window: int) -> ReplayGuard:
    """Shared through the database on PostgreSQL; this process's memory on SQLite."""
    if engine.dialect.name == "postgresql":
        return SharedReplayMemory(engine, window)
    return ReplayMemory(window)


def _replay() -> BadSignature:
    return BadSignature("this signature was already used for another request (replay)")
