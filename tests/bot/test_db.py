"""Database helpers: PostgreSQL advisory locks taken for a whole batch of people at once."""

from __future__ import annotations

import zlib

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from bot.db import is_postgres, lock_keys


def _free(engine: Engine, key: str) -> bool:
    """Whether another connection could take ``key``'s lock right now (and let it go at once)."""
    with engine.begin() as other:
        query = text("SELECT pg_try_advisory_xact_lock(:k)")
        return bool(other.execute(query, {"k": zlib.crc32(key.encode())}).scalar())


def test_one_statement_locks_every_person_of_a_batch_until_commit(engine: Engine) -> None:
    if not is_postgres(engine):
        pytest.skip("SQLite serialises writers with its own lock")
    with Session(engine) as session, session.begin():
        lock_keys(session, ["mp:b", "mp:a", "mp:b"])
        assert not _free(engine, "mp:a") and not _free(engine, "mp:b")
        assert _free(engine, "mp:c")
    assert _free(engine, "mp:a") and _free(engine, "mp:b")
