"""Access tokens: one per app, cached in the database with its expiry and shared by every process.

A missing or expiring token is fetched under a lock (a PostgreSQL advisory lock; on SQLite the
write gate and ``BEGIN IMMEDIATE``) and the cache is read again inside it, so many workers
asking at once cause one request to WeChat. A token WeChat rejects (40001, 42001) is replaced
once — only if no one replaced it already — and the call retried once by the channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.db import lock_key, reader, write_gate
from bot.outbound.errors import Retryable, check_errcode
from models.tokens import AccessToken

log = logging.getLogger(__name__)
EARLY = timedelta(minutes=5)  # refresh this long before WeChat's expiry
SKEW = timedelta(seconds=30)  # never use a token this close to its expiry
RECENT = timedelta(minutes=1)  # a token fetched this recently is not fetched again


class TokenApp(Protocol):
    key: str

    def fetch(self, client: httpx.Client, *, force: bool) -> tuple[str, int]:
        """A fresh (token, expires_in seconds) from the API."""
        ...


def _json(response: httpx.Response, what: str) -> dict[str, object]:
    if response.status_code >= 500:
        raise Retryable(f"{what}: HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise Retryable(f"{what}: HTTP {response.status_code}, not JSON") from exc
    check_errcode(body, what=what)
    return body  # type: ignore[no-any-return]


def _token_from(body: dict[str, object], what: str) -> tuple[str, int]:
    token, expires_in = body.get("access_token"), body.get("expires_in", 7200)
    if not isinstance(token, str) or not token:
        raise Retryable(f"{what}: no access_token in the answer")
    return token, int(expires_in)  # type: ignore[call-overload]


@dataclass(frozen=True)
class MpApp:
    """The Official Account: ``POST /cgi-bin/stable_token``."""

    base_url: str
    app_id: str
    secret: str

    @property
    def key(self) -> str:
        return f"mp:{self.app_id}"

    def fetch(self, client: httpx.Client, *, force: bool) -> tuple[str, int]:
        response = client.post(
            f"{self.base_url}/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self.secret,
                "force_refresh": force,
            },
        )
        return _token_from(_json(response, "stable_token"), "stable_token")


@dataclass(frozen=True)
class WeComApp:
    """A WeCom self-built app: ``GET /cgi-bin/gettoken``."""

    base_url: str
    corp_id: str
    agent_id: str
    secret: str

    @property
    def key(self) -> str:
        return f"wecom:{self.corp_id}:{self.agent_id}"

    def fetch(self, client: httpx.Client, *, force: bool) -> tuple[str, int]:
        response = client.get(
            f"{self.base_url}/cgi-bin/gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
        )
        return _token_from(_json(response, "gettoken"), "gettoken")


class TokenCache:
    def __init__(self, *, engine: Engine, clock: Clock, client: httpx.Client) -> None:
        self.engine = engine
        self.clock = clock
        self.client = client

    def _valid(self, row: AccessToken | None, now: datetime) -> bool:
        """Usable without asking again: well before expiry, or just fetched (WeChat hands out the
        same token until it expires, so asking again near the end would only repeat itself)."""
        if row is None or row.expires_at - SKEW <= now:
            return False
        return row.expires_at - EARLY > now or now - row.fetched_at < RECENT

    def get(self, app: TokenApp) -> str:
        """The app's current token, fetching one (once, whoever asks) if there is none valid."""
        with Session(reader(self.engine)) as session:
            row = session.get(AccessToken, app.key)
            if self._valid(row, self.clock.now()):
                return row.token  # type: ignore[union-attr]
        return self._refresh(app, rejected=None)

    def replace(self, app: TokenApp, *, rejected: str) -> str:
        """A new token after WeChat refused ``rejected``; if another worker already replaced it,
        that one is used and WeChat is not asked again."""
        return self._refresh(app, rejected=rejected)

    def _refresh(self, app: TokenApp, *, rejected: str | None) -> str:
        with write_gate(self.engine), Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                lock_key(session, f"access-token:{app.key}")
                row = session.get(AccessToken, app.key, populate_existing=True)
                now = self.clock.now()
                if self._valid(row, now) and (rejected is None or row.token != rejected):  # type: ignore[union-attr]
                    return row.token  # type: ignore[union-attr]
                token, expires_in = app.fetch(self.client, force=rejected is not None)
                log.info("fetched a new access token for %s (expires in %ss)", app.key, expires_in)
                if row is None:
                    row = AccessToken(app=app.key, token=token, expires_at=now, fetched_at=now)
                row.token, row.fetched_at = token, now
                row.expires_at = now + timedelta(seconds=expires_in)
                session.add(row)
            return token
