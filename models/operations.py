"""Long admin operations (imports, broadcasts): what they are, how far along, how they ended.

The admin API reports them at ``GET /api/v1/operations/{id}``; the CLI draws a progress bar.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel

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


def start_operation(
    session: Session, *, kind: str, now: datetime, total: int = 0, detail: dict[str, Any] | None = None
) -> Operation:
    operation = Operation(kind=kind, total=total, detail=detail or {}, created_at=now)
    session.add(operation)
    session.flush()
    return operation


def advance_operation(session: Session, *, operation_id: int, done: int, total: int | None = None) -> None:
    values: dict[str, Any] = {"done": done}
    if total is not None:
        values["total"] = total
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
