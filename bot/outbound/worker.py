"""The delivery worker: claims due outbox rows, sends them, records the outcome.

Any number of workers (threads, processes, hosts) may run. Claiming is one short transaction
under a lock (``outbox-claim``; on SQLite ``BEGIN IMMEDIATE``) that routes each due row, applies
the rate limits and moves it pending → sending with a lease. Sending happens outside any
transaction. A worker that dies leaves ``sending`` rows whose lease expires; they are claimed
again, and parts of a long text already delivered are not sent twice. Failures back off
exponentially (``[outbox] backoff_seconds``, doubling, capped) and become dead letters after
``max_attempts`` or at once on a permanent error, with the reason in ``last_error``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.db import lock_key, reader, write_gate
from bot.outbound.channels import Outgoing, split_text
from bot.outbound.errors import OutOfWindow, Permanent, Retryable
from bot.outbound.router import Channels, Route
from bot.outbound.tokens import TokenCache
from bot.settings import Settings
from models import outbox
from models.outbox import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)
WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    kind: str
    format: str
    payload: dict[str, Any]
    route: Route
    parts: list[str]
    parts_sent: int
    attempts: int


def part_key(key: str, index: int, total: int) -> str:
    return key if total == 1 else f"{key}#{index + 1}/{total}"


class DeliveryWorker:
    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        clock: Clock,
        client: httpx.Client | None = None,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.config = settings.outbox
        self.clock = clock
        self.client = client or httpx.Client(timeout=self.config.http_timeout_seconds)
        self.tokens = TokenCache(engine=engine, clock=clock, client=self.client)
        self.channels = Channels(settings, tokens=self.tokens, client=self.client)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    # -- running -------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim one batch and deliver it; how many rows were claimed."""
        batch = self.claim()
        for job in batch:
            self.deliver(job)
        return len(batch)

    def drain(self, max_batches: int = 1000) -> int:
        """Deliver everything due now (not what is backing off); how many rows were tried."""
        total = 0
        for _ in range(max_batches):
            done = self.run_once()
            if not done:
                break
            total += done
        return total

    def run_forever(self, stop: threading.Event) -> None:
        log.info("delivery worker %s started", self.name)
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("delivery worker %s: claiming failed; trying again shortly", self.name)
                busy = 0
            if not busy:
                stop.wait(self.config.poll_seconds)

    # -- claiming ------------------------------------------------------------------------------

    def _limit(self, recipient: str) -> int:
        if recipient.startswith("robot:"):
            return self.config.robot_per_minute
        if recipient.startswith("person:"):
            return self.config.person_per_minute
        return 0

    def _free_at(self, session: Session, route: Route, parts: int, now: datetime) -> datetime | None:
        """None if sending ``parts`` messages now stays within the recipient's and the channel's
        limits, else when to look again."""
        checks = [("", route.recipient, self._limit(route.recipient))]
        checks.append((route.channel.name, "", self.config.channel_per_minute.get(route.channel.name, 0)))
        for via, recipient, limit in checks:
            if limit <= 0 or (not via and not recipient):
                continue
            load, oldest = outbox.recent_load(session, now=now, window=WINDOW, via=via, recipient=recipient)
            if load and load + parts > limit:
                return (oldest + WINDOW) if oldest is not None else now + timedelta(seconds=5)
        return None

    def claim(self) -> list[Claimed]:
        now = self.clock.now()
        lease = timedelta(seconds=self.config.lease_seconds)
        claimed: list[Claimed] = []
        with Session(reader(self.engine)) as peek:
            if not outbox.any_due(peek, now=now):
                return claimed
        with (
            write_gate(self.engine),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            lock_key(session, "outbox-claim")
            for message in outbox.due(session, now=now, limit=self.config.batch * 4):
                if len(claimed) >= self.config.batch:
                    break
                job = self._claim_one(session, message, now=now, lease=lease)
                if job is not None:
                    claimed.append(job)
        return claimed

    def _claim_one(
        self, session: Session, message: OutboxMessage, *, now: datetime, lease: timedelta
    ) -> Claimed | None:
        assert message.id is not None
        fmt = str(message.payload.get("format", "text"))
        abandoned = message.status == OutboxStatus.sending
        try:
            if abandoned and message.attempts >= self.config.max_attempts:
                raise Permanent(f"abandoned by a worker {message.attempts} times")
            route = self.channels.route(session, message, now=now)
        except Permanent as exc:
            self._dead_on_claim(session, message, str(exc), now=now, lease=lease)
            return None
        parts = split_text(message.text, route.channel.limit_for(fmt))
        free_at = self._free_at(session, route, len(parts) - message.parts_sent, now)
        if free_at is not None:
            if not abandoned:
                outbox.defer(session, message_id=message.id, until=free_at, now=now)
            return None
        attempts, parts_sent, previous = message.attempts + 1, message.parts_sent, message.claimed_by
        won = outbox.claim(
            session,
            message_id=message.id,
            worker=self.name,
            via=route.channel.name,
            recipient=route.recipient,
            parts=len(parts),
            lease=lease,
            now=now,
        )
        if not won:
            return None
        if abandoned:
            log.warning("outbox %s: lease of %s expired; delivering it again", message.id, previous)
        return Claimed(
            id=message.id,
            key=message.idempotency_key,
            kind=message.kind,
            format=fmt,
            payload=dict(message.payload),
            route=route,
            parts=parts,
            parts_sent=min(parts_sent, len(parts)),
            attempts=attempts,
        )

    def _dead_on_claim(
        self, session: Session, message: OutboxMessage, reason: str, *, now: datetime, lease: timedelta
    ) -> None:
        assert message.id is not None
        if outbox.claim(
            session,
            message_id=message.id,
            worker=self.name,
            via="",
            recipient="",
            parts=message.parts,
            lease=lease,
            now=now,
        ):
            outbox.mark_failed(session, message_id=message.id, worker=self.name, error=reason, retry_at=None)
            log.warning("outbox %s dead: %s", message.id, reason)

    # -- sending -------------------------------------------------------------------------------

    def _write(self) -> Any:
        return write_gate(self.engine)

    def deliver(self, job: Claimed) -> None:
        route, total = job.route, len(job.parts)
        progressed = False
        try:
            for index in range(job.parts_sent, total):
                outgoing = Outgoing(
                    key=part_key(job.key, index, total),
                    text=job.parts[index],
                    kind=job.kind,
                    format=job.format,
                    payload=job.payload,
                )
                try:
                    route.channel.send(route.address, outgoing)
                except OutOfWindow:
                    if route.fallback is None:
                        raise
                    route = route.fallback
                    rest = "".join(job.parts[index:])
                    route.channel.send(route.address, replace(outgoing, text=rest))
                    break
                if total > 1 and index + 1 < total:
                    if not self._record_part(job, index + 1):
                        return
                    progressed = True
        except Permanent as exc:
            self._fail(job, str(exc), permanent=True)
            return
        except Retryable as exc:
            self._fail(job, str(exc), permanent=False, progressed=progressed)
            return
        except Exception as exc:  # a bug or an answer nobody expected: keep the row, log the trace
            log.exception("outbox %s: unexpected error while sending", job.id)
            self._fail(job, f"{type(exc).__name__}: {exc}", permanent=False, progressed=progressed)
            return
        self._finish(job, via=route.channel.name)

    def _record_part(self, job: Claimed, parts_sent: int) -> bool:
        with self._write(), Session(self.engine) as session, session.begin():
            ok = outbox.record_part(session, message_id=job.id, worker=self.name, parts_sent=parts_sent)
        if not ok:
            log.warning("outbox %s: lost its lease while sending; another worker takes over", job.id)
        return ok

    def _finish(self, job: Claimed, *, via: str) -> None:
        with self._write(), Session(self.engine) as session, session.begin():
            ok = outbox.mark_sent(session, message_id=job.id, worker=self.name, now=self.clock.now(), via=via)
        if not ok:
            log.warning("outbox %s: sent, but its lease had expired meanwhile", job.id)

    def backoff(self, attempts: int) -> timedelta:
        seconds = self.config.backoff_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.config.backoff_max_seconds))

    def _fail(self, job: Claimed, error: str, *, permanent: bool, progressed: bool = False) -> None:
        """Back off, or dead-letter. An attempt that delivered some parts of a long text does not
        count against ``max_attempts``."""
        now = self.clock.now()
        attempts = 0 if progressed and not permanent else job.attempts
        if not permanent and attempts >= self.config.max_attempts:
            error, permanent = f"gave up after {attempts} attempts: {error}", True
        retry_at = None if permanent else now + self.backoff(max(attempts, 1))
        with self._write(), Session(self.engine) as session, session.begin():
            outbox.mark_failed(
                session,
                message_id=job.id,
                worker=self.name,
                error=error,
                retry_at=retry_at,
                attempts=0 if progressed and not permanent else None,
            )
        if permanent:
            log.warning("outbox %s dead: %s", job.id, error)
        else:
            log.info("outbox %s attempt %s failed (%s); next at %s", job.id, job.attempts, error, retry_at)
