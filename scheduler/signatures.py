"""Forgetting webhook signatures once their timestamp has left the replay window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from models.seen_signatures import purge_seen_signatures

JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "signatures.purge": (timedelta(minutes=5), purge_seen_signatures),
}
