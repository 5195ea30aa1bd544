"""Conversation state: the one active form (if any) of each person, with its filled slots.

The storage is a tiny interface over one table (load / save / clear by user key), written
with Core statements because it is on every message's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
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


def load_state(session: Session, *, user_key: str) -> ConversationState:
    columns = (Conversation.form, Conversation.slots, Conversation.asking, Conversation.updated_at)
    row = session.execute(select(*columns).where(Conversation.user_key == user_key)).first()  # type: ignore[arg-type]
    if row is None:
        return ConversationState(user_key=user_key)
    form, slots, asking, updated_at = row
    return ConversationState(user_key, form, dict(slots or {}), asking, updated_at, stored=True)


def save_state(session: Session, *, state: ConversationState, now: datetime) -> None:
    """Persist ``state``: upsert while a form is active, delete the row once it is not."""
    if state.form is None:
        if state.stored:
            session.execute(delete(Conversation).where(Conversation.user_key == state.user_key))  # type: ignore[arg-type]
            state.stored = False
        return
    values = {
        "user_key": state.user_key,
        "form": state.form,
        "slots": state.slots,
        "asking": state.asking,
        "updated_at": now,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Conversation).values(**values)
    update = {key: statement.excluded[key] for key in ("form", "slots", "asking", "updated_at")}
    session.execute(statement.on_conflict_do_update(index_elements=["user_key"], set_=update))
    state.updated_at, state.stored = now, True
