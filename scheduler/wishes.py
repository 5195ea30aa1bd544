"""微心愿 by the clock: reminders for wishes nobody claims, and the resident's confirmation
(a gentle question, then 默认确认). Limits come from ``[party]``; see ``models.wish_reminders``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.settings import Settings
from models.wish_reminders import follow_up_unconfirmed, remind_unclaimed


def unclaimed(session: Session, *, now: datetime, settings: Settings | None = None) -> int:
    rules = (settings or Settings()).party
    return remind_unclaimed(session, rules=rules, now=now)


def unconfirmed(session: Session, *, now: datetime, settings: Settings | None = None) -> int:
    settings = settings or Settings()  # the defaults, for callers without settings (the demo seed)
    return follow_up_unconfirmed(session, rules=settings.party, points=settings.points.wish, now=now)


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "wishes.remind_unclaimed": (timedelta(minutes=30), unclaimed),
    "wishes.follow_up_unconfirmed": (timedelta(minutes=30), unconfirmed),
}
