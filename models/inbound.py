"""The inbound message log: every message is stored under its dedupe key before any work.

WeChat retries a message it got no answer for; the stored replies answer the retry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


def find_inbound(session: Session, dedupe_key: str) -> InboundMessage | None:
    return session.exec(select(InboundMessage).where(InboundMessage.dedupe_key == dedupe_key)).first()
