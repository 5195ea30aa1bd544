"""A heartbeat: calls ``renew`` every ``every`` seconds on a thread of its own while a block runs.

The delivery worker keeps its batch's outbox leases alive with it while it sends (a slow API
then never lets a lease run out under a live worker).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, renew: Callable[[], object], *, every: float, name: str) -> None:
        self.renew = renew
        self.every = every
        self.name = name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"hgj-heartbeat-{name}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.renew()
            except Exception:  # the database may be briefly away: the next beat tries again
                log.exception("%s: renewing its leases failed; trying again in %.0f s", self.name, self.every)
