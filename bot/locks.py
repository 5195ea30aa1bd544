"""Per-user serialisation inside one process: one conversation at a time per person."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager


class UserLocks:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        lock = self._join(key)
        try:
            with lock:
                yield
        finally:
            self._leave(key)

    def hold_all(self, keys: Iterable[str]) -> ExitStack:
        """All of ``keys`` held, in a fixed order (release by closing the stack)."""
        stack = ExitStack()
        for key in sorted(set(keys)):
            stack.enter_context(self.hold(key))
        return stack

    def try_hold(self, keys: Iterable[str]) -> ExitStack | None:
        """All of ``keys`` held (release by closing the stack), or None if one is busy now."""
        stack = ExitStack()
        for key in sorted(set(keys)):
            lock = self._join(key)
            if not lock.acquire(blocking=False):
                self._leave(key)
                stack.close()
                return None
            stack.callback(self._leave, key)
            stack.callback(lock.release)
        return stack

    def _join(self, key: str) -> threading.Lock:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        return lock

    def _leave(self, key: str) -> None:
        with self._guard:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
