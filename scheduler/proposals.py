"""Jobs for 网上议事: close proposals whose voting has ended and announce the results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from models.ballots import close_due


def close_proposals(session: Session, *, now: datetime) -> int:
    """Idempotent: a closed proposal is never closed or announced again."""
    return close_due(session, now=now)


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "close_proposals": (timedelta(minutes=1), close_proposals),
}
