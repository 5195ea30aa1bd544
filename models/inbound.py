"""The inbound message log: every message is stored under its dedupe key before any work.

WeChat retries a message it got no answer for; the stored replies answer the retry. A message
whose handling failed is kept too (marked failed, with the apology it got), but its retry is
handled afresh: a transient failure is never a message's final answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert
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
_STORED = select(_TABLE.c.replies, _TABLE.c.failed).where(_TABLE.c.dedupe_key == bindparam("key"))
_STORED_MANY = select(_TABLE.c.dedupe_key, _TABLE.c.replies, _TABLE.c.failed).where(
    _TABLE.c.dedupe_key.in_(bindparam("keys", expanding=True))
)
_FORGET_FAILED = delete(_TABLE).where(
    _TABLE.c.dedupe_key.in_(bindparam("keys", expanding=True)), _TABLE.c.failed.is_(True)
)
_RECORD = insert(_TABLE)


def stored_replies(session: Session, dedupe_key: str) -> list[dict[str, Any]] | None:
    """The replies recorded for this message, or None if it was never handled (or its handling
    failed: that record is dropped in this transaction, which handles the message again)."""
    row = session.connection().execute(_STORED, {"key": dedupe_key}).first()
    if row is None:
        return None
    replies, failed = row
    if failed:
        session.connection().execute(_FORGET_FAILED, {"keys": [dedupe_key]})
        return None
    return list(replies)


def stored_replies_many(session: Session, dedupe_keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The replies recorded for those of ``dedupe_keys`` that were handled already (failed ones
    are dropped, as in ``stored_replies``)."""
    rows = list(session.connection().execute(_STORED_MANY, {"keys": dedupe_keys}))
    failed = [key for key, _, did_fail in rows if did_fail]
    if failed:
        session.connection().execute(_FORGET_FAILED, {"keys": failed})
    return {key: list(replies) for key, replies, did_fail in rows if not did_fail}


_ANONYMOUS = "anonymous_inbound"  # session.info: dedupe keys whose log row keeps no identity


def keep_anonymous(session: Session, dedupe_key: str) -> None:
    """Log this message (handled in ``session``'s transaction) without who sent it or what it
    said: the message that confirmed an erasure. Its row and replies still answer WeChat's retry."""
    session.info.setdefault(_ANONYMOUS, set()).add(dedupe_key)


def _row(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("dedupe_key") in session.info.get(_ANONYMOUS, ()):
        fields = {**fields, "user_id": "", "text": "", "raw": {}}
    return {"failed": False, **fields}


def record_inbound(session: Session, **fields: Any) -> None:
    """Insert the message log row."""
    session.connection().execute(_RECORD, _row(session, fields))


def record_inbound_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert several message log rows with one statement."""
    if rows:
        session.connection().execute(_RECORD, [_row(session, fields) for fields in rows])


def previous_key(session: Session, *, user_id: str, before_key: str) -> str | None:
    """The dedupe key of the message ``user_id`` sent before the one stored as ``before_key``
    (or before now, when that one is not stored yet): what they said last, to read the next one by."""
    query = select(InboundMessage.dedupe_key).where(
        InboundMessage.user_id == user_id, InboundMessage.dedupe_key != before_key
    )
    return session.exec(query.order_by(InboundMessage.id.desc()).limit(1)).first()  # type: ignore[union-attr]
