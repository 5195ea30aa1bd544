"""Remembering signed webhook triples for the replay window, in one process or in the database.

WeChat's plain ``signature`` covers (token, timestamp, nonce) and no body. The same triple with
the same body is WeChat retrying (dedupe answers it); with another body it is a replay and is
refused. On SQLite the service is one process (see deploy/README.md), so its memory is enough;
on PostgreSQL several web processes share the database, so they share what they have seen
through the ``seen_signature`` table (purged by the scheduler, see ``scheduler.signatures``).
The gateway uses either through :class:`ReplayGuard` and :func:`replay_guard`.

A message's shared check costs no transaction of its own: the gateway leaves it on the message
(:class:`Signed`) and the pipeline checks the triples of a
whole batch with one statement in the batch's transaction (:func:`refused_replays`) and refuses
a replayed message there, before anything is handled or stored for it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from bot.errors import BadSignature
from bot.message import Message
from models.seen_signatures import remember, remember_many

log = logging.getLogger(__name__)
Triple = tuple[str, str, str]  # (signature, timestamp, nonce), the timestamp already checked


@dataclass(frozen=True)
class Signed:
    """A signed triple with its body, left for the database to check in the message's transaction."""

    triple_hash: str
    body_digest: str
    expires_at: datetime


class ReplayGuard(Protocol):
    def check(self, triple: Triple, body: bytes, *, now: float) -> None:
        """Remember ``triple`` with ``body``; raise BadSignature if it came before with another body
        (may wait on the database: off the event loop)."""

    def note(self, triple: Triple, body: bytes, *, now: float) -> Signed | None:
        """``check`` without waiting: raise BadSignature for what is known to be a replay now; what
        is left to check in the message's transaction (``refused_replays``), or None."""


class ReplayMemory:
    """One process's memory of the triples seen (SQLite: the service is one process)."""

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

    def note(self, triple: Triple, body: bytes, *, now: float) -> Signed | None:
        self.check(triple, body, now=now)
        return None


class SharedReplayMemory:
    """The triples seen by every process on the database (PostgreSQL): one ``INSERT ... ON
    CONFLICT DO NOTHING`` a request, and a read of the stored digest when the triple is known.

    If the database cannot be asked, this process's own memory still refuses what it has seen
    (an outage does not stop chat; the pipeline then answers as it can).
    """

    def __init__(self, engine: Engine, window: int) -> None:
        self.engine = engine
        self.window = window
        self.local = ReplayMemory(window)

    def note(self, triple: Triple, body: bytes, *, now: float) -> Signed | None:
        # Nothing is refused here: this process's memory would keep the first body it saw, a
        # forged one included, and then refuse WeChat's honest retry. (A request whose message is
        # already in hand joins that work, as a retry; its own body is not handled.)
        return Signed(
            triple_hash=hashlib.sha256("\n".join(triple).encode()).hexdigest(),
            body_digest=hashlib.sha256(body).hexdigest(),
            expires_at=datetime.fromtimestamp(int(triple[1]) + self.window + 1, UTC),
        )

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


def refused_replays(session: Session, messages: Sequence[Message]) -> dict[str, BadSignature]:
    """Check the triples ``messages`` were signed with against every process's, with one statement
    in the caller's transaction (and one more if any was seen before): {dedupe key: why it is
    refused} for the replays, which must not be handled."""
    signed = [(message, message.signed) for message in messages if isinstance(message.signed, Signed)]
    if not signed:
        return {}
    rows = [
        {"triple_hash": s.triple_hash, "body_digest": s.body_digest, "expires_at": s.expires_at}
        for _, s in signed
    ]
    known = remember_many(session.connection(), rows)
    return {message.dedupe_key: _replay() for message, s in signed if known[s.triple_hash] != s.body_digest}


def _replay() -> BadSignature:
    return BadSignature("this signature was already used for another request (replay)")
