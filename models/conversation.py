"""Conversation state: the one active form (if any) of each person, with its filled slots, the
form an interruption put aside (offered back once the interruption is dealt with), and the
choice a list just shown left pending (the next message may pick from it, or it is dropped).

The storage is a tiny interface over one table (load / save / clear by user key), written
with Core statements because it is on every message's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel

from models.base import json_field, utc_field


class Conversation(SQLModel, table=True):
    user_key: str = Field(primary_key=True, max_length=80)  # channel:user_id
    form: str | None = None
    slots: dict[str, Any] = json_field()
    asking: str | None = None  # the slot we asked for last, or "__confirm__"
    # {"form", "slots", "asking"} of a form put aside by a question or another request; {} if none.
    paused: dict[str, Any] = Field(
        default_factory=dict, sa_column_kwargs={"server_default": "{}"}, sa_type=JSON
    )
    # {"kind", "ids"} of a list just shown (「近期志愿活动：【1】…」) the next message may choose from.
    choice: dict[str, Any] = Field(
        default_factory=dict, sa_column_kwargs={"server_default": "{}"}, sa_type=JSON
    )
    updated_at: datetime = utc_field()


@dataclass
class ConversationState:
    user_key: str
    form: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    asking: str | None = None
    updated_at: datetime | None = None
    stored: bool = False  # a row exists for it
    paused: dict[str, Any] = field(default_factory=dict)
    choice: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> tuple[str | None, dict[str, Any], str | None, dict[str, Any], dict[str, Any]]:
        return self.form, dict(self.slots), self.asking, dict(self.paused), dict(self.choice)

    @property
    def kept(self) -> bool:
        """Whether there is anything to store: an active form, one put aside, or a pending choice."""
        return self.form is not None or bool(self.paused) or bool(self.choice)


_TABLE = Conversation.__table__  # type: ignore[attr-defined]
_COLUMNS = (
    _TABLE.c.form,
    _TABLE.c.slots,
    _TABLE.c.asking,
    _TABLE.c.updated_at,
    _TABLE.c.paused,
    _TABLE.c.choice,
)
_LOAD = select(*_COLUMNS).where(_TABLE.c.user_key == bindparam("key"))
_LOAD_MANY = select(_TABLE.c.user_key, *_COLUMNS).where(
    _TABLE.c.user_key.in_(bindparam("keys", expanding=True))
)
_DELETE = delete(_TABLE).where(_TABLE.c.user_key == bindparam("key"))
_FIELDS = ("form", "slots", "asking", "updated_at", "paused", "choice")


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
    return _state(user_key, *row)


def _state(
    key: str,
    form: str | None,
    slots: dict[str, Any] | None,
    asking: str | None,
    updated_at: datetime | None,
    paused: dict[str, Any] | None,
    choice: dict[str, Any] | None,
) -> ConversationState:
    return ConversationState(
        key,
        form,
        dict(slots or {}),
        asking,
        updated_at,
        stored=True,
        paused=dict(paused or {}),
        choice=dict(choice or {}),
    )


def load_states(session: Session, *, user_keys: list[str]) -> dict[str, ConversationState]:
    """The states of several people at once (a fresh state for those without a row)."""
    states = {key: ConversationState(user_key=key) for key in user_keys}
    for key, *row in session.connection().execute(_LOAD_MANY, {"keys": user_keys}):
        states[key] = _state(key, *row)
    return states


def save_state(session: Session, *, state: ConversationState, now: datetime) -> None:
    """Persist ``state``: upsert while a form is active or put aside or a choice pends, delete the
    row once none is."""
    save_states(session, [(state, now)])


def save_states(session: Session, states: list[tuple[ConversationState, datetime]]) -> None:
    """Persist several states with one statement per kind of change."""
    connection = session.connection()
    gone = [{"key": state.user_key} for state, _ in states if not state.kept and state.stored]
    active = [
        {
            "user_key": state.user_key,
            "form": state.form,
            "slots": state.slots,
            "asking": state.asking,
            "updated_at": now,
            "paused": state.paused,
            "choice": state.choice,
        }
        for state, now in states
        if state.kept
    ]
    if gone:
        connection.execute(_DELETE, gone)
    if active:
        connection.execute(_upsert(connection.dialect.name), active)
    for state, now in states:
        if not state.kept:
            state.stored = False
        else:
            state.updated_at, state.stored = now, True
