"""Conversation state: the one active form (if any) of each person, with its filled slots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, Session, SQLModel

from models.base import json_field, utc_field


class Conversation(SQLModel, table=True):
    user_key: str = Field(primary_key=True, max_length=80)  # channel:user_id
    form: str | None = None
    slots: dict[str, Any] = json_field()
    asking: str | None = None  # the slot we asked for last, or "__confirm__"
    updated_at: datetime = utc_field()


def load_conversation(session: Session, *, user_key: str, now: datetime) -> Conversation:
    state = session.get(Conversation, user_key)
    if state is None:
        state = Conversation(user_key=user_key, updated_at=now)
    return state


def save_conversation(session: Session, *, state: Conversation, now: datetime) -> None:
    state.updated_at = now
    session.merge(state)
