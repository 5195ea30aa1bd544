"""The delivery worker: claims due outbox rows, sends them, records the outcome.

Any number of workers (threads, processes, hosts) may run. Claiming is one short transaction
under a lock (``outbox-claim``; on SQLite ``BEGIN IMMEDIATE``) that routes each due row, applies
the rate limits and moves it pending → sending with a lease and a new lease token. Sending
happens outside any transaction, under three rules that make delivery exactly once wherever the
worker can know:

- a worker claims no more rows than it expects to send within half a lease (it times its sends),
  so rows do not wait, leased to a busy worker, while others are idle;
- while a batch is being sent a heartbeat renews its rows' leases every third of a lease, and
  right before each part goes out the worker renews that row's lease in the database, which
  succeeds only if it still holds the row under its token and the lease has not run out (the
  fence): a row it no longer holds is not sent;
- a part delivered, the row sent or failed is recorded only by the holder of the token.

A worker that dies leaves ``sending`` rows whose lease expires; they are claimed again, and
parts of a long text already delivered are not sent twice. The one thing that can repeat is a
send whose answer was lost (the worker died or lost its lease during the call, or the call went
out and timed out): it is logged as such. Failures back off exponentially (``[outbox]
backoff_seconds``, doubling, capped) and become dead letters after ``max_attempts`` or at once
on a permanent error, with the reason in ``last_error``. A worker that is stopped hands back the
rows of its batch it has not started.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.db import write_gate
from bot.metrics import delivery
from bot.outbound.channels import Outgoing
from bot.outbound.claiming import Claimed, Claimer
from bot.outbound.errors import AnswerLost, OutOfWindow, Permanent, Retryable
from bot.outbound.heartbeat import Heartbeat
from bot.outbound.router import Channels, Route
from bot.outbound.tokens import TokenCache
from bot.settings import Settings
from models import outbox

log = logging.getLogger(__name__)


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
        self.claimer = Claimer(
            engine=engine, config=self.config, clock=clock, channels=self.channels, name=self.name
        )
        # How long one send takes (seconds, a moving average); until measured, the longest it may.
        self.seconds_per_send = self.config.http_timeout_seconds

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.config.lease_seconds)

    # -- running -------------------------------------------------------------------------------

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim one batch and deliver it, its leases kept alive meanwhile; how many rows were
        claimed. When ``stop`` is set the rows not started yet are handed back."""
        batch = self.claim()
        if not batch:
            return 0
        beat = Heartbeat(lambda: self._renew_all(batch), every=self.config.lease_seconds / 3, name=self.name)
        with beat:
            for index, job in enumerate(batch):
                if stop is not None and stop.is_set():
                    self._release(batch[index:])
                    break
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
                busy = self.run_once(stop)
            except Exception:
                log.exception("delivery worker %s: the database failed it; trying again shortly", self.name)
                busy = 0
            if not busy:
                stop.wait(self.config.poll_seconds)

    # -- claiming (bot/outbound/claiming.py) ---------------------------------------------------

    def batch_size(self) -> int:
        """No more rows than this worker expects to send within half a lease (at most ``batch``)."""
        fits = self.config.lease_seconds / 2 / max(self.seconds_per_send, 1e-3)
        return max(1, min(self.config.batch, int(fits)))

    def claim(self) -> list[Claimed]:
        return self.claimer.claim(size=self.batch_size(), lease=self.lease)

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
                if not self._fence(job, index):
                    return
                try:
                    self._send(route, outgoing)
                except OutOfWindow:
                    if route.fallback is None:
                        raise
                    route = route.fallback
                    rest = "".join(job.parts[index:])
                    if not self._fence(job, index):
                        return
                    self._send(route, replace(outgoing, text=rest))
                    break
                if total > 1 and index + 1 < total:
                    if not self._record_part(job, index + 1):
                        return
                    progressed = True
        except Permanent as exc:
            self._fail(job, str(exc), permanent=True, channel=route.channel.name)
            return
        except AnswerLost as exc:
            log.warning(
                "outbox %s (%s): %s; it will be sent again and may arrive twice", job.id, job.key, exc
            )
            self._fail(
                job, str(exc), permanent=False, progressed=progressed, channel=route.channel.name, lost=True
            )
            return
        except Retryable as exc:
            self._fail(job, str(exc), permanent=False, progressed=progressed, channel=route.channel.name)
            return
        except Exception as exc:  # a bug or an answer nobody expected: keep the row, log the trace
            log.exception("outbox %s: unexpected error while sending", job.id)
            error = f"{type(exc).__name__}: {exc}"
            self._fail(job, error, permanent=False, progressed=progressed, channel=route.channel.name)
            return
        self._finish(job, via=route.channel.name)

    def _send(self, route: Route, outgoing: Outgoing) -> None:
        started = time.monotonic()
        try:
            route.channel.send(route.address, outgoing)
        finally:
            took = time.monotonic() - started
            self.seconds_per_send = 0.7 * self.seconds_per_send + 0.3 * took

    def _fence(self, job: Claimed, index: int) -> bool:
        """Right before a part goes out: renew the row's lease, if this worker still holds it."""
        with self._write(), Session(self.engine) as session, session.begin():
            held = outbox.renew(
                session,
                message_id=job.id,
                worker=self.name,
                token=job.token,
                lease=self.lease,
                now=self.clock.now(),
            )
        if not held:
            log.warning(
                "outbox %s (%s): no longer leased to %s (its lease ran out or another worker took it); "
                "part %d/%d not sent by it",
                job.id,
                job.key,
                self.name,
                index + 1,
                len(job.parts),
            )
        return held

    def _renew_all(self, batch: list[Claimed]) -> None:
        """The heartbeat's work: keep the leases of the batch's unfinished rows."""
        held = [(job.id, job.token) for job in batch]
        with self._write(), Session(self.engine) as session, session.begin():
            outbox.renew_all(session, held=held, worker=self.name, lease=self.lease, now=self.clock.now())

    def _release(self, jobs: list[Claimed]) -> None:
        with self._write(), Session(self.engine) as session, session.begin():
            handed = sum(
                outbox.release(session, message_id=job.id, worker=self.name, token=job.token) for job in jobs
            )
        log.info("delivery worker %s stopping: handed back %d unsent push(es)", self.name, handed)

    def _record_part(self, job: Claimed, parts_sent: int) -> bool:
        with self._write(), Session(self.engine) as session, session.begin():
            ok = outbox.record_part(
                session, message_id=job.id, worker=self.name, token=job.token, parts_sent=parts_sent
            )
        if not ok:
            log.warning(
                "outbox %s (%s): part %d delivered, but another worker took the row meanwhile; "
                "that part may arrive twice",
                job.id,
                job.key,
                parts_sent,
            )
        return ok

    def _finish(self, job: Claimed, *, via: str) -> None:
        with self._write(), Session(self.engine) as session, session.begin():
            ok = outbox.mark_sent(
                session, message_id=job.id, worker=self.name, token=job.token, now=self.clock.now(), via=via
            )
        delivery(via, "sent")  # delivered either way; ``not ok`` only means it may arrive twice
        if not ok:
            log.warning(
                "outbox %s (%s): delivered, but its lease ran out during the call and another worker "
                "took the row; it may arrive twice",
                job.id,
                job.key,
            )

    def backoff(self, attempts: int) -> timedelta:
        seconds = self.config.backoff_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.config.backoff_max_seconds))

    def _fail(
        self,
        job: Claimed,
        error: str,
        *,
        permanent: bool,
        channel: str,
        progressed: bool = False,
        lost: bool = False,
    ) -> None:
        """Back off, or dead-letter. An attempt that delivered some parts of a long text does not
        count against ``max_attempts``."""
        now = self.clock.now()
        attempts = 0 if progressed and not permanent else job.attempts
        if not permanent and attempts >= self.config.max_attempts:
            error, permanent = f"gave up after {attempts} attempts: {error}", True
        retry_at = None if permanent else now + self.backoff(max(attempts, 1))
        with self._write(), Session(self.engine) as session, session.begin():
            recorded = outbox.mark_failed(
                session,
                message_id=job.id,
                worker=self.name,
                token=job.token,
                error=error,
                retry_at=retry_at,
                attempts=0 if progressed and not permanent else None,
            )
        if not recorded:
            log.warning(
                "outbox %s: another worker took the row meanwhile; this failure is not recorded", job.id
            )
            return
        delivery(channel, "dead" if permanent else "answer_lost" if lost else "retry")
        if permanent:
            log.warning("outbox %s dead: %s", job.id, error)
        else:
            log.info("outbox %s attempt %s failed (%s); next at %s", job.id, job.attempts, error, retry_at)
