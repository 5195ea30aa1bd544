"""Cached API access tokens, one row per app, shared by every worker and process."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import utc_field


class AccessToken(SQLModel, table=True):
    __tablename__ = "access_token"  # type: ignore[assignment]
    app: str = Field(primary_key=True, max_length=120)  # "mp:<appid>" | "wecom:<corpid>:<agentid>"
    token: str = Field(max_length=600)
    expires_at: datetime = utc_field()
    fetched_at: datetime = utc_field()
