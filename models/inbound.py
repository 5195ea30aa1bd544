"""The inbound message log: every message is stored under its dedupe key before any work.

WeChat retries a message it got no answer for; the stored replies answer the retry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlmodel import Field, Session, SQLModel, select

from models.base import json_field, utc_field


class InboundMessage(SQLModel, table=True):
    __tablename__ = "inbound_message"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=200)
    channel: str  # mp | wecom | console
    user_id: str = Field(index=True, max_length=64)  # openid or WeCom userid
    msg_type: str
    text: str = ""
    raw: dict[str, Any] = json_field()
    replies: list[dict[str, Any]] = json_field(list)
    received_at: datetime = utc_field(index=True)
    failed: bool = False  # handling raised; the person got an apology and nothing else changed


# Every message runs these two: plain Core statements on the table, built once.
_TABLE = InboundMessage.__table__  # type: ignore[attr-defined]
_STORED = select(_TABLE.c.replies).where(_TABLE.c.dedupe_key == bindparam("key"))
_STORED_MANY = select(_TABLE.c.dedupe_key, _TABLE.c.replies).where(
    _TABLE.c.dedupe_key.in_(bindparam("keys", expanding=True))
)
_RECORD = insert(_TABLE)


def stored_replies(session: Session, dedupe_key: str) -> list[dict[str, Any]] | None:
    """The replies recorded for this message, or None if it was never handled."""
    row = session.connection().execute(_STORED, {"key": dedupe_key}).first()
    return None if row is None else list(row[0])


def stored_replies_many(session: Session, dedupe_keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The replies recorded for those of ``dedupe_keys`` that were handled already."""
    rows = session.connection().execute(_STORED_MANY, {"keys": dedupe_keys})
    return {key: list(replies) for key, replies in rows}


def record_inbound(session: Session, **fields: Any) -> None:
    """Insert the message log row."""
    session.connection().execute(_RECORD, {"failed": False, **fields})


def record_inbound_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert several message log rows with one statement."""
    if rows:
        session.connection().execute(_RECORD, [{"failed": False, **fields} for fields in rows])
