"""How one message's answer reaches the resident: in the webhook's reply, or later as a push.

WeChat waits five seconds for the passive reply. The webhook waits for the pipeline up to its
budget; when the answer is not ready by then (another process holds SQLite's write lock, say),
it answers 「收到，正在处理」 and the pipeline pushes the real answer through the outbox once it
has it. Which of the two happens is decided once per message, under a lock, so the answer is
neither lost between them nor given twice: the pipeline claims the reply just before it
commits; the webhook claims the push when its budget runs out. Whoever comes second follows.
"""

from __future__ import annotations

import threading

_OPEN, _REPLY, _PUSH = "open", "reply", "push"


class Handover:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _OPEN

    def reply(self) -> bool:
        """The pipeline, about to commit: True if the answer goes in the webhook's reply, False
        if the webhook has already answered without it (push it instead)."""
        with self._lock:
            if self._state == _OPEN:
                self._state = _REPLY
            return self._state == _REPLY

    def push(self) -> bool:
        """The webhook, out of time: True if the pipeline is to push the answer, False if it is
        committing it as the reply right now (wait a moment for it)."""
        with self._lock:
            if self._state == _OPEN:
                self._state = _PUSH
            return self._state == _PUSH

    def reopen(self) -> None:
        """The pipeline's transaction failed after it claimed the reply: nothing is decided."""
        with self._lock:
            if self._state == _REPLY:
                self._state = _OPEN

    @property
    def replying(self) -> bool:
        """The pipeline is committing the answer as the reply."""
        return self._state == _REPLY

    @property
    def pushed(self) -> bool:
        return self._state == _PUSH
