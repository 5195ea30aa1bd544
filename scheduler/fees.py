"""欠费提醒 by the clock: overdue flats get one polite reminder per ``[fees] reminder_days``
(see ``models.fee_reminders``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.settings import Settings
from models.fee_reminders import remind_overdue


def overdue(session: Session, *, now: datetime, settings: Settings | None = None) -> int:
    return remind_overdue(session, rules=(settings or Settings()).fees, now=now)


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "fees.remind_overdue": (timedelta(hours=1), overdue),
}
