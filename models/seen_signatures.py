"""Signed webhook triples seen within the replay window, shared by every process on PostgreSQL.

WeChat's plain ``signature`` covers (token, timestamp, nonce) but no body: the same triple with
another body is a replay. A row per triple keeps the digest of the body it first came with until
the timestamp leaves the replay window; the scheduler purges rows past ``expires_at``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Field, Session, SQLModel, col

from models.base import utc_field


class SeenSignature(SQLModel, table=True):
    __tablename__ = "seen_signature"  # type: ignore[assignment]
    triple_hash: str = Field(primary_key=True, max_length=64)  # sha256 of signature, timestamp, nonce
    body_digest: str = Field(max_length=64)  # sha256 of the body it first came with
    expires_at: datetime = utc_field(index=True)


def remember(connection: Connection, *, triple_hash: str, body_digest: str, expires_at: datetime) -> str:
    """Store the triple unless it is known; the body digest it was first seen with (this one if new).

    One statement when new (``INSERT ... ON CONFLICT DO NOTHING``), two when it was seen before.
    The caller commits.
    """
    values = {"triple_hash": triple_hash, "body_digest": body_digest, "expires_at": expires_at}
    table = SeenSignature.__table__  # type: ignore[attr-defined]
    if connection.dialect.name == "postgresql":
        statement = pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=["triple_hash"])
    else:
        statement = insert(table).values(**values).prefix_with("OR IGNORE")
    if connection.execute(statement).rowcount == 1:
        return body_digest
    known = connection.execute(select(table.c.body_digest).where(table.c.triple_hash == triple_hash)).scalar()
    return str(known) if known is not None else body_digest  # purged meanwhile: as if new


def remember_many(connection: Connection, rows: list[dict[str, object]]) -> dict[str, str]:
    """``remember`` for several triples (``triple_hash``, ``body_digest``, ``expires_at``) with one
    statement, and a second only for those seen before: {triple_hash: the digest it was first seen
    with}. The caller commits (in the transaction of the messages the triples came with)."""
    first = list({row["triple_hash"]: row for row in reversed(rows)}.values())  # each triple once
    table = SeenSignature.__table__  # type: ignore[attr-defined]
    if connection.dialect.name == "postgresql":
        statement = pg_insert(table).values(first).on_conflict_do_nothing(index_elements=["triple_hash"])
    else:
        statement = insert(table).values(first).prefix_with("OR IGNORE")
    new = set(connection.execute(statement.returning(table.c.triple_hash)).scalars())
    known = {str(row["triple_hash"]): str(row["body_digest"]) for row in first}
    older = [key for key in known if key not in new]
    if older:
        found = connection.execute(
            select(table.c.triple_hash, table.c.body_digest).where(table.c.triple_hash.in_(older))
        )
        known.update({str(key): str(digest) for key, digest in found})
    return known


def purge_seen_signatures(session: Session, *, now: datetime) -> int:
    """Delete triples whose timestamp has left the replay window (a scheduler job)."""
    # A few minutes of webhook traffic at most: one statement.
    result = session.execute(delete(SeenSignature).where(col(SeenSignature.expires_at) < now))
    return int(result.rowcount or 0)
