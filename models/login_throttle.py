"""Failed console logins, counted per client address and per token prefix, to refuse guessing.

Every attempt is recorded as a failure *before* its token is checked (the caller holds a lock on
:func:`lock_names` across processes), so parallel guesses cannot slip past the limit; a successful login deletes the failures of its
address and prefix. After ``max_failures`` within ``window`` either key is locked until ``lockout``
after its latest failure (attempts refused meanwhile are not counted). Rows live in the database, so every server process shares the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import utc_field

PREFIX = 4  # characters of the typed token that name the account in counts and logs


class LoginFailure(SQLModel, table=True):
    __tablename__ = "console_login_failure"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(index=True)
    client: str = Field(max_length=64, index=True)
    account: str = Field(max_length=16, index=True)


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=10)
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """One login attempt: ``locked_until`` is set when it was refused without checking the token."""

    client: str
    account: str
    failure_id: int | None = None
    locked_until: datetime | None = None


def account_of(token: str) -> str:
    """The token's first characters, printable only (a NUL cannot be stored in PostgreSQL text)."""
    return "".join(c if c.isprintable() else "?" for c in token[:PREFIX])


def lock_names(*, client: str, token: str) -> list[str]:
    """The keys to serialise an attempt on (a PostgreSQL advisory lock, see ``bot.db.lock_keys``)."""
    return [f"console-login:client:{client[:64]}", f"console-login:account:{account_of(token)}"]


def _locked_until(
    session: Session, column: Any, value: str, now: datetime, policy: ThrottlePolicy
) -> datetime | None:
    """Locked while ``max_failures`` failures within one window are followed by less than ``lockout``."""
    recent = session.exec(
        select(LoginFailure.at)
        .where(column == value, col(LoginFailure.at) > now - policy.window - policy.lockout)
        .order_by(col(LoginFailure.at).desc())
        .limit(policy.max_failures)
    ).all()
    if len(recent) < policy.max_failures or recent[0] - recent[-1] >= policy.window:
        return None
    until = recent[0] + policy.lockout
    return until if until > now else None


def locked_until(
    session: Session, *, client: str, account: str, now: datetime, policy: ThrottlePolicy
) -> datetime | None:
    """When the lock on this address or this prefix ends (the later of the two), or None."""
    ends = [
        until
        for column, value in ((col(LoginFailure.client), client[:64]), (col(LoginFailure.account), account))
        if (until := _locked_until(session, column, value, now, policy)) is not None
    ]
    return max(ends) if ends else None


def begin_attempt(
    session: Session, *, client: str, token: str, now: datetime, policy: ThrottlePolicy
) -> Attempt:
    """Refuse a locked address or prefix; otherwise record the attempt as a failure until it succeeds.

    Call it inside a transaction that holds ``lock_names`` (``bot.db.lock_keys``).
    """
    client, account = client[:64], account_of(token)
    until = locked_until(session, client=client, account=account, now=now, policy=policy)
    if until is not None:
        return Attempt(client, account, locked_until=until)
    keep = policy.window + policy.lockout
    session.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - keep))
    failure = LoginFailure(at=now, client=client, account=account)
    session.add(failure)
    session.flush()
    return Attempt(client, account, failure_id=failure.id)


def failures(session: Session, *, client: str, now: datetime, policy: ThrottlePolicy) -> int:
    """Failures of this address within the window (for the log line)."""
    return session.exec(
        select(func.count()).where(
            LoginFailure.client == client[:64], col(LoginFailure.at) > now - policy.window
        )
    ).one()


def succeeded(session: Session, *, attempt: Attempt) -> None:
    """A correct token: forget the failures of its address and its prefix."""
    session.execute(
        delete(LoginFailure).where(
            or_(col(LoginFailure.client) == attempt.client, col(LoginFailure.account) == attempt.account)
        )
    )
