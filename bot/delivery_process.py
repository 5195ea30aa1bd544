"""``hgj serve``'s delivery and scheduler in a child process (``hgj worker``), so that the web
process only answers residents.

The server starts the child after its checks and stops it when it stops (SIGTERM, then SIGKILL
after a grace period); the child also stops by itself when the server is gone (even after a
SIGKILL of the server). A child that exits on its own is started again, after 1 s doubling up to
a minute while it keeps failing, and /healthz tells (``delivery``: its pid, whether it runs, how
many times it was restarted and how it last ended), and /metrics adds its figures
(``bot.child_metrics``). ``[server] delivery = "thread"`` keeps the
old layout, delivery threads and scheduler inside the web process (``bot.background``).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FIRST_RESTART_SECONDS = 1.0
LONGEST_RESTART_SECONDS = 60.0
STOP_GRACE_SECONDS = 20.0

_CURRENT: DeliveryProcess | None = None


def delivery_status() -> dict[str, Any] | None:
    """For /healthz: the child's state when this process runs one, else None."""
    return _CURRENT.status() if _CURRENT is not None else None


def metrics_file() -> Path | None:
    """Where the child writes its figures, when this process runs one."""
    return _CURRENT.metrics_path if _CURRENT is not None else None


class DeliveryProcess:
    def __init__(self, *, config: Path | None, now: str | None = None, threads: int = 1) -> None:
        self.command = [sys.executable, "-m", "bot"]
        if now is not None:
            self.command += ["--now", now]
        self.command += ["worker", "--threads", str(threads), "--parent-pid", str(os.getpid()), "--quiet"]
        if config is not None:
            self.command += ["--config", str(config)]
        # Its figures, for this process's /metrics (``bot.child_metrics``).
        self.metrics_path = Path(tempfile.mkdtemp(prefix="hgj-worker-")) / "figures.json"
        self.command += ["--metrics-file", str(self.metrics_path)]
        self.popen: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.last_exit: int | None = None
        self._spawned = 0.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="hgj-delivery-watch", daemon=True)

    def start(self) -> None:
        global _CURRENT
        self._spawn()
        self._watcher.start()
        _CURRENT = self

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            # A session of its own: Ctrl+C at the terminal reaches the server alone, which then
            # stops the child (else the child would end first and be restarted during shutdown).
            self.popen = subprocess.Popen(self.command, start_new_session=True)
            self._spawned = time.monotonic()
        log.info("delivery and scheduler run in process %s", self.popen.pid)

    def status(self) -> dict[str, Any]:
        popen = self.popen
        running = popen is not None and popen.poll() is None
        return {
            "process": popen.pid if popen is not None else None,
            "running": running,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
        }

    def _watch(self) -> None:
        """Start the child again whenever it exits while the server runs."""
        wait = FIRST_RESTART_SECONDS
        while not self._stopping.wait(0.5):
            popen = self.popen
            if popen is None or popen.poll() is None:
                continue
            self.last_exit = popen.returncode
            # A child that ran for a minute starts the back-off over; one that keeps failing doubles it.
            wait = FIRST_RESTART_SECONDS if time.monotonic() - self._spawned > 60 else wait
            log.error(
                "the delivery process %s exited (code %s); starting it again in %.0f s",
                popen.pid,
                popen.returncode,
                wait,
            )
            if self._stopping.wait(wait):
                return
            self.restarts += 1
            self._spawn()
            wait = min(wait * 2, LONGEST_RESTART_SECONDS)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM (the worker hands back its unsent rows and the scheduler's lead), then SIGKILL."""
        global _CURRENT
        with self._lock:
            self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join()
        popen = self.popen
        if popen is not None and popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
            if not _ended(popen, within=grace):
                log.error("the delivery process %s did not stop in %.0f s; killing it", popen.pid, grace)
                popen.kill()
                popen.wait()
        if _CURRENT is self:
            _CURRENT = None
        shutil.rmtree(self.metrics_path.parent, ignore_errors=True)


def _ended(popen: subprocess.Popen[bytes], *, within: float) -> bool:
    """Whether the process ends within that many seconds (waiting on an event, not ``time.sleep``,
    which libfaketime breaks: see tests/support/faketime.py)."""
    pause = threading.Event()
    deadline = time.monotonic() + within
    while popen.poll() is None:
        if time.monotonic() >= deadline:
            return False
        pause.wait(0.05)
    return True
