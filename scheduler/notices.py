"""Notice and 三公开 jobs: publish due notices, expire old ones, publish last month's (and last year's) ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.clock import LOCAL_TZ
from models.base import month_of, previous_month
from models.ledger_publish import publish_month, publish_year
from models.notices import expire_due, publish_due


def publish_due_notices(session: Session, *, now: datetime) -> int:
    """Publish every notice whose publish_at has passed (recurring ones move to their next time)."""
    return publish_due(session, now=now)


def expire_notices(session: Session, *, now: datetime) -> int:
    """Mark notices past their expiry as expired (they leave 「最近通知」)."""
    return expire_due(session, now=now)


def publish_monthly_ledger(session: Session, *, now: datetime) -> int:
    """From the 1st of a month (local time), push last month's 三公开 to every building group once.

    Once per month: after downtime it still publishes last month's ledger whenever in the month
    it next runs; a correction made afterwards is re-published by the office, not by this job.
    """
    if now.astimezone(LOCAL_TZ).hour < 9 and now.astimezone(LOCAL_TZ).day == 1:
        return 0  # not in the small hours
    return publish_month(
        session, month=previous_month(month_of(now)), now=now, by="定时任务", first_only=True
    )


def publish_yearly_ledger(session: Session, *, now: datetime) -> int:
    """In January (from the 1st, 09:00 local time), disclose last year's yearly accounts, once."""
    local = now.astimezone(LOCAL_TZ)
    if local.month != 1 or (local.day == 1 and local.hour < 9):
        return 0
    return publish_year(session, year=str(local.year - 1), now=now, by="定时任务", first_only=True)


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "publish_due_notices": (timedelta(minutes=1), publish_due_notices),
    "expire_notices": (timedelta(minutes=10), expire_notices),
    "publish_monthly_ledger": (timedelta(hours=1), publish_monthly_ledger),
    "publish_yearly_ledger": (timedelta(hours=6), publish_yearly_ledger),
}
