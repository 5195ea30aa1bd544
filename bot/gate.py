"""The SQLite write gate: one writing transaction at a time, in this process and across processes.

SQLite allows one writer. Without a gate, a writer that finds the database locked sleeps in
SQLite's busy handler (1, 2, 5, 10 … 100 ms at a time) and is not woken when the lock is free,
which turns contention into long tail latencies. :class:`WriteLock` makes writers queue instead:
a thread lock for this process and, for a database in a file, an exclusive ``flock`` on a file
beside it (``<database>-gate``) for every process on that file (``hgj serve``, its child
``hgj worker``, ``hgj import``). The kernel wakes the next waiter as soon as the lock is let go.

The gate is advisory: a writer that does not take it (a probe that must not wait) still meets
SQLite's own lock, so correctness never rests on it, only the waiting. If the gate file cannot be
opened (a read-only directory), the gate is this process's thread lock alone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from types import TracebackType

log = logging.getLogger(__name__)

FIRST_PAUSE = 0.0005  # seconds between tries of a gate held elsewhere, when waiting a limited time
LONGEST_PAUSE = 0.004


class WriteLock:
    """``acquire(blocking=True, timeout=-1)`` / ``release()`` like ``threading.Lock``, across processes."""

    def __init__(self, path: str | None) -> None:
        self.path = path  # the gate file; None: this process only (an in-memory database)
        self._thread = threading.Lock()
        self._fd: int | None = None
        self._pause = threading.Event()  # never set: a sleep that libfaketime does not break

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        deadline = time.monotonic() + timeout if blocking and timeout >= 0 else None
        if not self._thread.acquire(blocking, timeout if blocking else -1):
            return False
        try:
            fd = self._file()
            if fd is None or self._lock_file(fd, blocking, deadline):
                return True
        except BaseException:
            self._thread.release()
            raise
        self._thread.release()
        return False

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()

    def locked(self) -> bool:
        return self._thread.locked()

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def _file(self) -> int | None:
        """The open gate file (held under the thread lock, so opened once)."""
        if self._fd is None and self.path is not None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                log.warning(
                    "write gate file %s cannot be opened; writers queue in this process only: %s",
                    self.path,
                    exc,
                )
                self.path = None
        return self._fd

    def _lock_file(self, fd: int, blocking: bool, deadline: float | None) -> bool:
        if blocking and deadline is None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits without the GIL; woken when it is let go
            return True
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if deadline is None or time.monotonic() >= deadline:
                    return False
            self._pause.wait(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, LONGEST_PAUSE)
