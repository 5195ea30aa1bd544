"""Sample jobs: one pushes a daily reminder to building 1 (idempotent per day), one always fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, select

from models.community import Building
from models.outbox import enqueue

CALLS: list[datetime] = []


def daily_reminder(session: Session, *, now: datetime) -> int:
    """Catches up from the database: one reminder per day, keyed by the day, so reruns add nothing."""
    CALLS.append(now)
    building = session.exec(select(Building).where(Building.number == "1")).first()
    if building is None:
        return 0
    day = now.date().isoformat()
    row = enqueue(
        session,
        idempotency_key=f"sample-reminder:{day}",
        building_id=building.id,
        kind="reminder",
        text=f"{day} 请记得垃圾分类",
        now=now,
    )
    return 1 if row.created_at == now else 0


def broken(session: Session, *, now: datetime) -> int:
    enqueue(session, idempotency_key=f"broken:{now}", building_id=1, kind="x", text="never", now=now)
    raise RuntimeError("this job always fails")


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "sample_daily_reminder": (timedelta(hours=1), daily_reminder),
    "sample_broken": (timedelta(hours=1), broken),
}
