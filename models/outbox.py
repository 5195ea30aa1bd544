"""The outbox: pushes to people or group chats, written in the same transaction as their cause.

A delivery worker (scheduler/) sends pending rows; a row is never deleted, only moved through
pending → sent, or → dead with the reason.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, Session, SQLModel, select

from models.base import enum_field, json_field, utc_field


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    dead = "dead"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True, max_length=200)
    channel: str = "auto"  # auto | mp_custom | mp_template | wecom_app | group_robot | console
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    kind: str = "notice"  # what it is about: binding, ticket, emergency, notice, ...
    text: str
    payload: dict[str, Any] = json_field()
    status: OutboxStatus = enum_field(OutboxStatus, OutboxStatus.pending, index=True)
    attempts: int = 0
    last_error: str = ""
    created_at: datetime = utc_field()
    next_attempt_at: datetime = utc_field(index=True)
    sent_at: datetime | None = utc_field(nullable=True)


def enqueue(
    session: Session,
    *,
    idempotency_key: str,
    text: str,
    now: datetime,
    kind: str,
    person_id: int | None = None,
    building_id: int | None = None,
    channel: str = "auto",
    payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Add a push to the current transaction; the same key twice yields the existing row."""
    if person_id is None and building_id is None:
        raise ValueError("a push needs a person or a building")
    existing = session.exec(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    ).first()
    if existing is not None:
        return existing
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        channel=channel,
        person_id=person_id,
        building_id=building_id,
        kind=kind,
        text=text,
        payload=payload or {},
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message
