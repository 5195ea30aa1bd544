"""Held messages on disk: a message the webhook answered 「收到，正在处理」 survives a crash.

Once the webhook has answered without the real answer, WeChat will not send the message again;
until the pipeline commits it, the message exists only in this process. So before the holding
reply goes out, the message is written to a file of its own in the spool directory (written to a
temporary name, fsynced, renamed, the directory fsynced) and removed once the pipeline has
committed it. At start-up the server takes up files that no living process holds and puts them
through the pipeline again, answering by push (``Pipeline.resume``); dedupe by MsgId keeps a
message that did commit from being handled twice.

Several web processes may share one directory: each holds an exclusive ``flock`` on the files of
the messages it is handling, which the operating system lets go of when the process ends,
however it ends. A file whose lock can be taken belongs to no one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.db import normalise_url
from bot.message import Message
from bot.settings import Settings

log = logging.getLogger(__name__)
SUFFIX = ".json"


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._held: dict[str, int] = {}  # dedupe key -> the open, locked file
        self._guard = threading.Lock()

    def path(self, key: str) -> Path:
        return self.directory / (hashlib.sha256(key.encode()).hexdigest()[:40] + SUFFIX)

    def put(self, message: Message) -> bool:
        """Write ``message`` durably (held by this process until :meth:`remove`); False if it
        could not be written (logged: the message then lives in memory only, as before)."""
        key = message.dedupe_key
        with self._guard:
            if key in self._held:
                return True
        data = json.dumps({"message": _record(message)}, ensure_ascii=False).encode()
        final = self.path(key)
        temporary = final.with_name(f".{final.stem}.{os.getpid()}.tmp")
        fd = -1
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)  # locked before it has its name: no one takes it up
            os.write(fd, data)
            os.fsync(fd)
            os.rename(temporary, final)
            _sync_directory(self.directory)
        except OSError as exc:
            log.error("message %s could not be spooled to %s (kept in memory only): %s", key, final, exc)
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(OSError):
                temporary.unlink()
            return False
        with self._guard:
            self._held[key] = fd
        return True

    def remove(self, key: str) -> None:
        """The message is committed (or was never held): forget its file."""
        with self._guard:
            fd = self._held.pop(key, None)
        if fd is None:
            return
        try:
            self.path(key).unlink(missing_ok=True)  # before letting go of the lock
        except OSError as exc:
            log.error("spooled message %s could not be removed: %s", key, exc)
        finally:
            os.close(fd)

    def holds(self, key: str) -> bool:
        with self._guard:
            return key in self._held

    def take_orphans(self) -> list[Message]:
        """Messages spooled by a process that has ended: now held by this one."""
        if not self.directory.is_dir():
            return []
        taken: list[Message] = []
        for path in sorted(self.directory.glob("*" + SUFFIX)):
            message = self._take(path)
            if message is not None:
                taken.append(message)
        return taken

    def _take(self, path: Path) -> Message | None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None  # committed and removed meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a living process holds it
            os.close(fd)
            return None
        try:
            if not path.exists() or os.stat(path).st_ino != os.fstat(fd).st_ino:
                raise FileNotFoundError(path)  # removed by its owner between open and lock
            with open(fd, "rb", closefd=False) as file:
                message = _message(json.loads(file.read()))
        except FileNotFoundError:
            os.close(fd)
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.error("spooled file %s cannot be read, left as it is: %s", path, exc)
            os.close(fd)
            return None
        with self._guard:
            if message.dedupe_key in self._held:
                os.close(fd)
                return None
            self._held[message.dedupe_key] = fd
        return message


def spool_directory(settings: Settings) -> Path:
    """``[server] spool_dir``; by default beside the SQLite database, else ``data/spool``."""
    if settings.server.spool_dir:
        return Path(settings.server.spool_dir)
    url = make_url(normalise_url(settings.database.url))
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and ":memory:" not in database:
        return Path(database).parent / "spool"
    return Path("data") / "spool"


def _record(message: Message) -> dict[str, Any]:
    """What is written: the message as WeChat sent it. The signed triple still to be checked
    (``Message.signed``) stays behind: it was never committed, and dedupe by MsgId guards the
    resumed message."""
    return {f.name: getattr(message, f.name) for f in dataclasses.fields(Message) if f.name != "signed"}


def _message(data: dict[str, Any]) -> Message:
    fields = {f.name for f in dataclasses.fields(Message)}
    return Message(**{k: v for k, v in data["message"].items() if k in fields})


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
