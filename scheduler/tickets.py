"""Ticket time limits: pre-warnings, the escalation ladder, auto-close and 「问题解决了吗？」 follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from models import sla


def prewarn(session: Session, *, now: datetime) -> int:
    return sla.send_prewarnings(session, now=now)


def escalate(session: Session, *, now: datetime) -> int:
    return sla.escalate_overdue(session, now=now)


def auto_close(session: Session, *, now: datetime) -> int:
    return sla.auto_close(session, now=now)


def follow_up(session: Session, *, now: datetime) -> int:
    return sla.send_followups(session, now=now)


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "tickets.prewarn": (timedelta(minutes=5), prewarn),
    "tickets.escalate": (timedelta(minutes=5), escalate),
    "tickets.auto_close": (timedelta(minutes=15), auto_close),
    "tickets.follow_up": (timedelta(minutes=30), follow_up),
}
