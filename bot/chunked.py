"""Long admin work (imports) in chunks, so that chat never waits for it.

Each chunk is its own short transaction under the write gate, with the operation's progress
written in it; between chunks the gate is let go and the thread steps aside for a while, so
residents' messages waiting for the gate go first. Work too large for one request runs on the
app's background thread (``Operations``) while the admin polls ``GET /api/v1/operations/{id}``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from bot.db import write_gate
from models.access import Actor, audit
from models.operations import advance_operation, finish_operation, start_operation
from models.residency import verify_from_register
from models.residents import RosterRow, RosterWriter

log = logging.getLogger(__name__)

T = TypeVar("T")

CHUNK_ROWS = 500
# Between chunks the import pauses for half as long as the chunk took (at least 5 ms): messages
# that waited for the gate are then handled while this thread is asleep, not fighting it for the
# interpreter, which would slow each of them down far more than the wait itself.
PAUSE_SHARE = 0.5
PAUSE_SECONDS = 0.005
INLINE_ROWS = 2000  # a roster up to this size is written within the request; larger ones in the background


class Operations:
    """The app's one background thread for long operations (one at a time, in order)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="operation")

    def submit(self, work: Callable[[], object]) -> Future[object]:
        return self._executor.submit(work)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def write_in_chunks(
    engine: Engine,
    items: Sequence[T],
    write: Callable[[Session, Sequence[T]], None],
    *,
    operation_id: int | None = None,
    chunk: int = CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """``write`` each chunk of ``items`` in a transaction of its own, recording progress (and,
    with a ``clock``, the operation's heartbeat) in it."""
    done = 0
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        began = time.monotonic()
        with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
            write(session, part)
            done += len(part)
            if operation_id is not None:
                beat = clock() if clock is not None else None
                advance_operation(session, operation_id=operation_id, done=done, beat=beat)
        if progress is not None:
            progress(done)
        time.sleep(max(PAUSE_SECONDS, (time.monotonic() - began) * PAUSE_SHARE))


def start(engine: Engine, *, kind: str, total: int, now: datetime, detail: dict[str, Any]) -> int:
    with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
        operation = start_operation(session, kind=kind, now=now, total=total, detail=detail, heartbeat=True)
    assert operation.id is not None
    return operation.id


def import_roster_rows(
    engine: Engine,
    rows: Sequence[RosterRow],
    *,
    operation_id: int,
    actor: Actor,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write checked roster rows in chunks; the last transaction audits and finishes the operation.

    A failure half-way marks the operation failed (with how far it got); the rows written stay,
    and importing the same file again finishes the job (the import is idempotent).
    """
    writer = RosterWriter(lines=len(rows))
    began = time.monotonic()

    def clock() -> datetime:  # the injected ``now`` moved on by the time this import has taken
        return now + timedelta(seconds=time.monotonic() - began)

    try:
        write_in_chunks(
            engine,
            rows,
            lambda session, part: writer.write(session, part, now=now),
            operation_id=operation_id,
            progress=progress,
            clock=clock,
        )
        report = writer.report.as_json()
        with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
            report["claims_verified"] = verify_from_register(session, now=now)
            audit(session, actor=actor, action="residents.import", now=now, target="roster", **report)
            finish_operation(session, operation_id=operation_id, ok=True, now=now, detail={"report": report})
    except Exception as exc:
        log.exception("roster import (operation %d) failed", operation_id)
        detail = {"error": str(exc).splitlines()[0][:300], "report": writer.report.as_json()}
        try:
            with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
                finish_operation(session, operation_id=operation_id, ok=False, now=now, detail=detail)
        except Exception:
            log.exception("could not even mark operation %d failed", operation_id)
        raise
    return report
