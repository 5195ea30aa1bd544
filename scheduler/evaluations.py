"""Jobs for 物业服务评议: close evaluations whose time is up and publish their star rating."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from models.evaluations import close_due


def close_evaluations(session: Session, *, now: datetime) -> int:
    """Idempotent: a published evaluation is never closed or announced again."""
    return close_due(session, now=now)


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "close_evaluations": (timedelta(minutes=5), close_evaluations),
}
