"""Bulk pushes: thousands of outbox rows in a few Core statements, not one ORM object per row.

Rows whose idempotency key already exists are skipped (``ON CONFLICT DO NOTHING``), so a
retried publication never pushes twice. :func:`enqueue_people` goes further: one
``INSERT … SELECT`` writes a push for every person a query selects, inside the database (a
notice to 100,000 residents is one statement, no row passes through Python).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Select, String, cast, literal, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage, OutboxStatus

CHUNK = 2000
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Target:
    idempotency_key: str
    person_id: int | None = None
    building_id: int | None = None


def enqueue_many(
    session: Session,
    targets: Sequence[Target],
    *,
    kind: str,
    text: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    progress: Progress | None = None,
    keys_are_new: bool = False,
    due_at: datetime | None = None,
) -> int:
    """Add one push per target to the current transaction; return how many were new.

    ``due_at`` (default ``now``): when the pushes become due; an earlier time puts them ahead of
    everything already waiting (the worker claims the earliest due first).

    ``keys_are_new``: the keys name a row inserted in this very transaction (a binding
    request's id), or the caller needs no count (``push_once``), so the lookup of existing keys
    is skipped; a conflict is still skipped (and then counted as new).
    """
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    keys = [t.idempotency_key for t in targets]
    existing: set[str] = set()
    for start in range(0, 0 if keys_are_new else len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        existing.update(
            session.exec(
                select(OutboxMessage.idempotency_key).where(col(OutboxMessage.idempotency_key).in_(chunk))
            )
        )
    fresh = [t for t in targets if t.idempotency_key not in existing]
    common = {
        "channel": "auto",
        "kind": kind,
        "text": text,
        "payload": payload or {},
        "status": OutboxStatus.pending,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "next_attempt_at": due_at or now,
        "sent_at": None,
    }
    if progress:
        progress(0, len(fresh))
    for start in range(0, len(fresh), CHUNK):
        rows = [
            {
                **common,
                "idempotency_key": t.idempotency_key,
                "person_id": t.person_id,
                "building_id": t.building_id,
            }
            for t in fresh[start : start + CHUNK]
        ]
        session.execute(insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"]), rows)
        if progress:
            progress(min(start + CHUNK, len(fresh)), len(fresh))
    return len(fresh)


def push_once(
    session: Session,
    *,
    idempotency_key: str,
    kind: str,
    text: str,
    now: datetime,
    person_id: int | None = None,
    building_id: int | None = None,
) -> None:
    """``models.outbox.enqueue`` in one statement for a caller that needs no row back: the push
    is added unless its key exists (``ON CONFLICT DO NOTHING``), without a lookup first."""
    if person_id is None and building_id is None:
        raise ValueError("a push needs a person or a building")
    target = Target(idempotency_key, person_id=person_id, building_id=building_id)
    enqueue_many(session, [target], kind=kind, text=text, now=now, keys_are_new=True)


def enqueue_people(
    session: Session,
    people: Select[Any],
    *,
    key_prefix: str,
    kind: str,
    text: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> int:
    """One push to each person id that ``people`` selects (a one-column select), keyed
    ``key_prefix`` + the id; in one ``INSERT … SELECT``. Returns how many were new."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    ids = people.subquery()
    person_id = ids.c[0]
    values = {
        "idempotency_key": literal(key_prefix, String) + cast(person_id, String),
        "person_id": person_id,
        "channel": literal("auto", String),
        "kind": literal(kind, String),
        "text": literal(text, String),
        "payload": literal(payload or {}, JSON),
        "status": literal(OutboxStatus.pending.value, String),
        "attempts": literal(0),
        "last_error": literal("", String),
        "created_at": literal(now, table.c.created_at.type),
        "next_attempt_at": literal(now, table.c.next_attempt_at.type),
    }
    rows = select(*(value.label(name) for name, value in values.items())).select_from(ids)
    rows = rows.where(true())  # SQLite reads the ON CONFLICT of an INSERT … SELECT only after a WHERE
    statement = (
        insert(table)
        .from_select(list(values), rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    result = session.execute(statement.execution_options(preserve_rowcount=True))
    return int(result.rowcount)  # type: ignore[attr-defined]
