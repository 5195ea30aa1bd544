"""Long admin operations (imports, broadcasts): what they are, how far along, how they ended.

The admin API reports them at ``GET /api/v1/operations/{id}``; the CLI draws a progress bar.
An operation that runs on a process's background thread beats (``heartbeat_at``) with every
chunk; when its process stops half-way (a restart, ``kill -9``), the beat stops and the
scheduler marks it failed with how far it got (``fail_stalled_operations``), instead of it
staying ``running`` for ever.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, select

from models.base import enum_field, json_field, utc_field


class OperationStatus(StrEnum):
    running = "running"
    done = "done"
    failed = "failed"


class Operation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # notice-publish | ledger-import | ledger-publish
    status: OperationStatus = enum_field(OperationStatus, OperationStatus.running, index=True)
    total: int = 0
    done: int = 0
    detail: dict[str, Any] = json_field()  # what it was about and how it ended (e.g. problems)
    created_at: datetime = utc_field()
    finished_at: datetime | None = utc_field(nullable=True)
    # set only for work on a background thread, which beats with every chunk it writes
    heartbeat_at: datetime | None = utc_field(nullable=True)


def start_operation(
    session: Session,
    *,
    kind: str,
    now: datetime,
    total: int = 0,
    detail: dict[str, Any] | None = None,
    heartbeat: bool = False,
) -> Operation:
    """A new running operation; ``heartbeat`` for work that beats as it goes (see the module)."""
    operation = Operation(
        kind=kind, total=total, detail=detail or {}, created_at=now, heartbeat_at=now if heartbeat else None
    )
    session.add(operation)
    session.flush()
    return operation


def advance_operation(
    session: Session, *, operation_id: int, done: int, total: int | None = None, beat: datetime | None = None
) -> None:
    values: dict[str, Any] = {"done": done}
    if total is not None:
        values["total"] = total
    if beat is not None:
        values["heartbeat_at"] = beat
    session.execute(
        update(Operation)
        .where(Operation.id == operation_id, Operation.status == OperationStatus.running)  # type: ignore[arg-type]
        .values(**values)
    )


def finish_operation(
    session: Session, *, operation_id: int, ok: bool, now: datetime, detail: dict[str, Any] | None = None
) -> bool:
    """Running → done/failed (compare-and-set); False if it had already finished."""
    operation = session.get(Operation, operation_id)
    if operation is None:
        raise LookupError(f"operation {operation_id} not found")
    values: dict[str, Any] = {
        "status": OperationStatus.done if ok else OperationStatus.failed,
        "finished_at": now,
        "detail": {**operation.detail, **(detail or {})},
    }
    if ok:
        values["done"] = operation.total
    result = session.execute(
        update(Operation)
        .where(Operation.id == operation_id, Operation.status == OperationStatus.running)  # type: ignore[arg-type]
        .values(**values)
    )
    session.refresh(operation)
    return result.rowcount == 1  # type: ignore[attr-defined]


STALLED_AFTER = timedelta(minutes=10)


def fail_stalled_operations(
    session: Session, *, now: datetime, stalled_after: timedelta = STALLED_AFTER
) -> int:
    """Mark failed every beating operation whose beat stopped ``stalled_after`` ago: its process
    stopped half-way. What it wrote stays (imports are idempotent: importing again finishes)."""
    stalled = session.exec(
        select(Operation).where(
            Operation.status == OperationStatus.running,  # type: ignore[arg-type]
            Operation.heartbeat_at.is_not(None),  # type: ignore[union-attr]
            Operation.heartbeat_at < now - stalled_after,  # type: ignore[operator]
        )
    ).all()
    for operation in stalled:
        assert operation.id is not None
        silent = int((now - operation.heartbeat_at).total_seconds())
        finish_operation(
            session,
            operation_id=operation.id,
            ok=False,
            now=now,
            detail={
                "error": f"interrupted: no progress for {silent} s (its process stopped) after "
                f"{operation.done} of {operation.total}; run it again to finish (imports are idempotent)",
            },
        )
    return len(stalled)
