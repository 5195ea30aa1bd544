"""The outbox's partial indexes serve the worker's lookups, on SQLite too (#17).

A notice to 100,000 residents writes every row into each index it matches; the indexes are
partial so a new pending row goes into few of them, and the worker's queries must still find
their rows through an index rather than by reading the whole outbox.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, text
from sqlmodel import col, select

from bot.db import create_db_engine
from bot.migrate import upgrade
from models.outbox import OutboxMessage, OutboxStatus, _claimable, is_status

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _plan(tmp_path: Path, statement: Any) -> str:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade(engine)
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        rows = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
    engine.dispose()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_due_rows_are_found_through_the_partial_indexes(tmp_path: Path) -> None:
    due = (
        select(OutboxMessage.id)
        .where(_claimable(NOW))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(20)
    )
    plan = _plan(tmp_path, due)
    assert "ix_outbox_message_due" in plan
    assert "ix_outbox_message_lease" in plan


def test_dead_letters_are_counted_through_their_own_index(tmp_path: Path) -> None:
    plan = _plan(tmp_path, select(func.count()).where(is_status(OutboxStatus.dead)))
    assert "ix_outbox_message_dead" in plan
