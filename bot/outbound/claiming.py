"""Claiming outbox rows for a delivery worker: one short transaction that routes due rows,
applies the rate limits and leases them (pending, or abandoned by a dead worker → sending).

The transaction runs under a lock (``outbox-claim``; on SQLite ``BEGIN IMMEDIATE``); on
PostgreSQL rows locked by another worker's claim are skipped. Each claim hands out a new lease
token (``models.outbox.claim``). A row taken over from a worker whose lease ran out is logged:
as a possible repeat when that worker had a send in flight, whose answer is then lost.

A row held back by a rate limit is deferred once, to a slot of its own: the held rows of one
recipient (or channel) are spaced ``WINDOW / limit`` apart in the order they were due, so a
flood of 500 pushes to one admin is not claimed and deferred again every time the window
frees up for a few of them. The slots are this worker's own bookkeeping; the limit itself is
checked against what was really sent whenever a row is claimed. A held row abandoned by a dead
worker (still ``sending``, its lease run out) cannot be deferred in the table without touching a
lease that is not this worker's: this worker remembers its slot instead, and neither fetches it
nor takes the claim lock for it before then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.db import lock_key, reader, write_gate
from bot.outbound.channels import split_text
from bot.outbound.errors import Permanent
from bot.outbound.router import Channels, Route
from bot.settings import OutboxSettings
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
    token: int  # the lease token of this claim: every later write quotes it


class Claimer:
    def __init__(
        self, *, engine: Engine, config: OutboxSettings, clock: Clock, channels: Channels, name: str
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.channels = channels
        self.name = name
        self._slots: dict[str, datetime] = {}  # rate key → the last slot given to a held row
        self._held_now: dict[str, datetime] = {}  # rate keys found at their limit in this claim
        self._abandoned_held: dict[int, datetime] = {}  # abandoned rows held back → their slot

    def _limit(self, recipient: str) -> int:
        if recipient.startswith("robot:"):
            return self.config.robot_per_minute
        if recipient.startswith("person:"):
            return self.config.person_per_minute
        return 0

    def _free_at(self, session: Session, route: Route, parts: int, now: datetime) -> datetime | None:
        """None if sending ``parts`` messages now stays within the recipient's and the channel's
        limits, else the slot this row is to wait for."""
        checks = [("", route.recipient, self._limit(route.recipient))]
        checks.append((route.channel.name, "", self.config.channel_per_minute.get(route.channel.name, 0)))
        for via, recipient, limit in checks:
            if limit <= 0 or (not via and not recipient):
                continue
            key = f"via:{via}" if via else recipient
            if key in self._held_now:  # held already in this claim: no need to count again
                return self._slot(key, self._held_now[key], limit)
            load, oldest = outbox.recent_load(session, now=now, window=WINDOW, via=via, recipient=recipient)
            if load and load + parts > limit:
                free_at = (oldest + WINDOW) if oldest is not None else now + timedelta(seconds=5)
                self._held_now[key] = free_at
                return self._slot(key, free_at, limit)
        return None

    def _slot(self, key: str, free_at: datetime, limit: int) -> datetime:
        """The next slot for a held row of ``key``: ``free_at``, or one spacing after the last
        slot handed out for it if that is later."""
        last = self._slots.get(key)
        slot = free_at if last is None else max(free_at, last + WINDOW / limit)
        self._slots[key] = slot
        return slot

    def claim(self, *, size: int, lease: timedelta) -> list[Claimed]:
        """Up to ``size`` due rows, routed, within the rate limits, leased to this worker."""
        now = self.clock.now()
        claimed: list[Claimed] = []
        self._held_now.clear()
        self._slots = {key: slot for key, slot in self._slots.items() if slot > now - WINDOW}
        self._abandoned_held = {key: slot for key, slot in self._abandoned_held.items() if slot > now}
        with Session(reader(self.engine)) as peek:
            if not outbox.any_due(peek, now=now, skip=self._abandoned_held.keys()):
                return claimed
        with (
            write_gate(self.engine),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            lock_key(session, "outbox-claim")
            for message in outbox.due(session, now=now, limit=size * 4):
                if len(claimed) >= size:
                    break
                if message.id in self._abandoned_held:
                    continue
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
            if abandoned:
                self._abandoned_held[message.id] = free_at
            else:
                outbox.defer(session, message_id=message.id, until=free_at, now=now)
            return None
        attempts, parts_sent, previous = message.attempts + 1, message.parts_sent, message.claimed_by
        answer_lost = abandoned and message.in_flight
        token = outbox.claim(
            session,
            message_id=message.id,
            worker=self.name,
            via=route.channel.name,
            recipient=route.recipient,
            parts=len(parts),
            lease=lease,
            now=now,
        )
        if token is None:
            return None
        if answer_lost:
            log.warning(
                "outbox %s (%s): the lease of %s ran out while it was sending part %d/%d, whose answer "
                "is lost; sending that part again, so it may arrive twice",
                message.id,
                message.idempotency_key,
                previous,
                min(parts_sent, len(parts) - 1) + 1,
                len(parts),
            )
        elif abandoned:
            log.warning(
                "outbox %s (%s): the lease of %s ran out before it sent anything; sending it now",
                message.id,
                message.idempotency_key,
                previous,
            )
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
            token=token,
        )

    def _dead_on_claim(
        self, session: Session, message: OutboxMessage, reason: str, *, now: datetime, lease: timedelta
    ) -> None:
        assert message.id is not None
        token = outbox.claim(
            session,
            message_id=message.id,
            worker=self.name,
            via="",
            recipient="",
            parts=message.parts,
            lease=lease,
            now=now,
        )
        if token is not None:
            outbox.mark_failed(
                session, message_id=message.id, worker=self.name, token=token, error=reason, retry_at=None
            )
            log.warning("outbox %s dead: %s", message.id, reason)
