"""Conversation state: the one active form (if any) of each person, with its filled slots.

The storage is a tiny interface over one table (load / save / clear by user key), written
with Core statements because it is on every message's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel

from models.base import json_field, utc_field


class Conversation(SQLModel, table=True):
    user_key: str = Field(primary_key=True, max_length=80)  # channel:user_id
    form: str | None = None
    slots: dict[str, Any] = json_field()
    asking: str | None = None  # the slot we asked for last, or "__confirm__"
    updated_at: datetime = utc_field()


@dataclass
class ConversationState:
    user_key: str
    form: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    asking: str | None = None
    updated_at: datetime | None = None
    stored: bool = False  # a row exists for it

    def snapshot(self) -> tuple[str | None, dict[str, Any], str | None]:
        return self.form, dict(self.slots), self.asking


_TABLE = Conversation.__table__  # type: ignore[attr-defined]
_LOAD = select(_TABLE.c.form, _TABLE.c.slots, _TABLE.c.asking, _TABLE.c.updated_at).where(
    _TABLE.c.user_key == bindparam("key")
)
_DELETE = delete(_TABLE).where(_TABLE.c.user_key == bindparam("key"))
_FIELDS = ("form", "slots", "asking", "updated_at")


@cache
def _upsert(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_TABLE)
    return statement.on_conflict_do_update(
        index_elements=["user_key"], set_={key: statement.excluded[key] for key in _FIELDS}
    )


def load_state(session: Session, *, user_key: str) -> ConversationState:
    row = session.connection().execute(_LOAD, {"key": user_key}).first()
    if row is None:
        return ConversationState(user_key=user_key)
    form, slots, asking, updated_at = row
    return ConversationState(user_key, form, dict(slots or {}), asking, updated_at, stored=True)


def save_state(session: Session, *, state: ConversationState, now: datetime) -> None:
    """Persist ``state``: upsert while a form is active, delete the row once it is not."""
    connection = session.connection()
    if state.form is None:
        if state.stored:
            connection.execute(_DELETE, {"key": state.user_key})
            state.stored = False
        return
    values = {
        "user_key": state.user_key,
        "form": state.form,
        "slots": state.slots,
        "asking": state.asking,
        "updated_at": now,
    }
    connection.execute(_upsert(connection.dialect.name), values)
    state.updated_at, state.stored = now, True
