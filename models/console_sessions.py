"""Web console sessions, kept on the server and apart from the API tokens they were opened with.

The browser holds only a random session id; the table stores its hash, the API token (by hash,
and by id when it is an issued token) the session stands for, and when it was opened, last used
and must end. A session ends at logout, after ``idle`` without use, at its absolute expiry, or
when its API token is revoked. Each session has its own CSRF token, derived from the id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import utc_field

CSRF_LABEL = b"hgj-console-csrf"
LOGIN_CSRF_LABEL = b"hgj-console-login-csrf"


class ConsoleSession(SQLModel, table=True):
    __tablename__ = "console_session"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(unique=True, max_length=64)
    token_hash: str = Field(max_length=64, index=True)  # the API token it was opened with
    token_id: int | None = Field(default=None, foreign_key="api_token.id", index=True)  # None: config token
    actor: str = Field(max_length=200)  # the actor's audit tag at login
    client: str = Field(default="", max_length=64)  # the browser's address at login
    created_at: datetime = utc_field()
    last_seen_at: datetime = utc_field()
    expires_at: datetime = utc_field()  # absolute end, whatever the use
    revoked_at: datetime | None = utc_field(nullable=True)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta
    touch_every: timedelta = timedelta(seconds=60)  # last_seen_at is written at most this often


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token(secret: str, *, label: bytes = CSRF_LABEL) -> str:
    """The CSRF token belonging to a session id (or to a login form's cookie, with its label)."""
    return hmac.new(secret.encode(), label, hashlib.sha256).hexdigest()


def csrf_matches(secret: str, given: str, *, label: bytes = CSRF_LABEL) -> bool:
    return bool(secret and given) and hmac.compare_digest(csrf_token(secret, label=label), given)


def open_session(
    session: Session,
    *,
    token_hash: str,
    token_id: int | None,
    actor: str,
    client: str,
    now: datetime,
    lifetimes: Lifetimes,
) -> str:
    """Start a session; the plain id is returned once (for the cookie) and only its hash is stored."""
    session.execute(delete(ConsoleSession).where(col(ConsoleSession.expires_at) < now))
    secret = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            session_hash=secret_hash(secret),
            token_hash=token_hash,
            token_id=token_id,
            actor=actor[:200],
            client=client[:64],
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetimes.absolute,
        )
    )
    return secret


def live_session(
    session: Session, secret: str, *, now: datetime, lifetimes: Lifetimes
) -> ConsoleSession | None:
    """The session behind a cookie, or None when it is unknown, logged out, idle too long or expired."""
    if not secret:
        return None
    record = session.exec(
        select(ConsoleSession).where(ConsoleSession.session_hash == secret_hash(secret))
    ).first()
    if record is None or record.revoked_at is not None:
        return None
    if now >= record.expires_at or now - record.last_seen_at >= lifetimes.idle:
        return None
    return record


def touch(session: Session, *, session_id: int, now: datetime) -> None:
    session.execute(
        update(ConsoleSession)
        .where(col(ConsoleSession.id) == session_id, col(ConsoleSession.revoked_at).is_(None))
        .values(last_seen_at=now)
    )


def end_session(session: Session, secret: str, *, now: datetime) -> ConsoleSession | None:
    """Log out: the session is revoked for good (its cookie no longer opens anything)."""
    record = session.exec(
        select(ConsoleSession).where(
            ConsoleSession.session_hash == secret_hash(secret), col(ConsoleSession.revoked_at).is_(None)
        )
    ).first()
    if record is not None:
        record.revoked_at = now
        session.add(record)
    return record


def revoke_token_sessions(session: Session, *, token_id: int, now: datetime) -> int:
    """End every console session opened with an API token that is being revoked."""
    result = session.execute(
        update(ConsoleSession)
        .where(col(ConsoleSession.token_id) == token_id, col(ConsoleSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
