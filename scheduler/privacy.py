"""Finishing erasures: the outbox sweep that takes an erased person out of pushes to staff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from models.scrub import sweep_erasures

# A chunk of 50,000 outbox ids a minute: a million-row outbox is swept in twenty minutes,
# each chunk a short transaction of its own.
JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "sweep_erasures": (timedelta(minutes=1), sweep_erasures),
}
