"""Running the suite under libfaketime (``make test-future``): the clock a year ahead.

libfaketime fakes CLOCK_REALTIME only (``FAKETIME_DONT_FAKE_MONOTONIC=1``: timeouts and event
loops measure durations and must stay real). Two things need help with that, here and nowhere
else:

- libfaketime 0.9.10 answers EINVAL to ``clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)``,
  which is how Python's ``time.sleep`` waits; a sleep is the same wait on an event never set.
- The browser is another machine: Playwright's driver and chromium run without the preload,
  on the real clock, while the app under test runs on the shifted one.

A row written for a process started on the real clock must be due by that clock: ``real_now``.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

ACTIVE = "faketime" in os.environ.get("LD_PRELOAD", "")
_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC", "DONT_FAKE_MONOTONIC")
_OFFSET = re.compile(r"([+-]\d+(?:\.\d+)?)([smhdy]?)")  # libfaketime's relative offsets: 「+365d」
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}


# Read once: ``real_clock_for_children`` takes FAKETIME out of the environment while it runs.
_SHIFT = _OFFSET.fullmatch(os.environ.get("FAKETIME", "").strip()) if ACTIVE else None
SHIFT = timedelta(seconds=float(_SHIFT.group(1)) * _SECONDS[_SHIFT.group(2)]) if _SHIFT else timedelta(0)


def real_now() -> datetime:
    """The machine's real time (UTC): what processes started by ``real_clock_for_children`` see."""
    return datetime.now(UTC) - SHIFT


def repair_sleep() -> None:
    if not ACTIVE:
        return
    never = threading.Event()

    def sleep(seconds: float) -> None:
        if seconds > 0:
            never.wait(seconds)

    time.sleep = sleep


@contextlib.contextmanager
def real_clock_for_children() -> Iterator[None]:
    """Processes started inside this block run without libfaketime."""
    saved = {name: os.environ.pop(name) for name in _VARIABLES if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)
