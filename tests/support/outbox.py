"""Helpers for tests that deliver the outbox: run workers until nothing is left, moving the clock."""

from __future__ import annotations

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.db import reader
from bot.outbound.worker import DeliveryWorker
from models.outbox import OutboxMessage, OutboxStatus


def next_due(engine: Engine) -> tuple[int, object]:
    """(rows not yet sent or dead, the earliest time one of them can be tried)."""
    with Session(reader(engine)) as session:
        waiting = col(OutboxMessage.status).in_([OutboxStatus.pending, OutboxStatus.sending])
        count = session.exec(select(func.count()).select_from(OutboxMessage).where(waiting)).one()
        earliest = session.exec(select(func.min(OutboxMessage.next_attempt_at)).where(waiting)).one()
    return count, earliest


def deliver_all(workers: list[DeliveryWorker], clock: ManualClock, *, max_rounds: int = 500) -> int:
    """Run the workers in turn, jumping the clock to each retry time, until every row is sent or
    dead; returns the rounds it took."""
    for rounds in range(1, max_rounds + 1):
        for worker in workers:
            worker.drain()
        remaining, earliest = next_due(workers[0].engine)
        if not remaining:
            return rounds
        if earliest is not None and earliest > clock.now():  # type: ignore[operator]
            clock.set(earliest)  # type: ignore[arg-type]
        else:
            clock.advance(seconds=1)
    raise AssertionError(f"outbox not delivered after {max_rounds} rounds")
