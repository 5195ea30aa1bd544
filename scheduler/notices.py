"""Notice and 三公开 jobs: publish due notices, expire old ones, publish last month's ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.clock import LOCAL_TZ
from models.base import month_of, previous_month
from models.ledger import publish_month
from models.notices import expire_due, publish_due


def publish_due_notices(session: Session, *, now: datetime) -> int:
    """Publish every notice whose publish_at has passed (recurring ones move to their next time)."""
    return publish_due(session, now=now)


def expire_notices(session: Session, *, now: datetime) -> int:
    """Mark notices past their expiry as expired (they leave 「最近通知」)."""
    return expire_due(session, now=now)


def publish_monthly_ledger(session: Session, *, now: datetime) -> int:
    """From the 1st of a month (local time), push last month's 三公开 to every building group once.

    Idempotent through the outbox keys; after downtime it still publishes last month's ledger
    whenever in the month it next runs (entries added later in the month are not re-pushed).
    """
    if now.astimezone(LOCAL_TZ).hour < 9 and now.astimezone(LOCAL_TZ).day == 1:
        return 0  # not in the small hours
    return publish_month(session, month=previous_month(month_of(now)), now=now)


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "publish_due_notices": (timedelta(minutes=1), publish_due_notices),
    "expire_notices": (timedelta(minutes=10), expire_notices),
    "publish_monthly_ledger": (timedelta(hours=1), publish_monthly_ledger),
}
