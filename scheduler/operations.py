"""Background operations whose process stopped half-way are marked failed, not left running."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from models.operations import fail_stalled_operations

JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "fail_stalled_operations": (timedelta(minutes=1), fail_stalled_operations),
}
