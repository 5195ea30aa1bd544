"""The outbox: pushes to people or group chats, written in the same transaction as their cause.

A row moves pending → sending (claimed by one delivery worker under a lease) → sent, or back to
pending with a later ``next_attempt_at`` (backoff), or → dead with the reason. A worker killed
while sending leaves its row ``sending`` with an expired lease; the next worker claims it again.
Rows are never deleted. Every transition is a compare-and-set on the status (and the claimant).

Fencing: every claim adds one to the row's ``lease_token`` and hands the new value to the
claimant. What the claimant does later — renewing the lease right before each send, recording a
part, marking the row sent or failed — succeeds only while the row is still ``sending`` under
that claimant *and that token*, so a worker whose lease ran out and was taken over can neither
send nor record anything: its writes find no row. ``in_flight`` says a send has started and its
outcome is not recorded yet; a row reclaimed with it set is the one case that may arrive twice.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Index,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    text,
    tuple_,
    update,
)
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import enum_field, json_field, read, utc_field
from models.inbound import previous_key


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    dead = "dead"


def _partial(name: str, *columns: str, where: str) -> Index:
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"  # type: ignore[assignment]
    # Few indexes, and partial ones: a notice to 100,000 residents writes each row into the
    # primary key, the idempotency key, person_id and the due index only (#17). The queries
    # name the status as a constant (``is_status``) so the planners can use them.
    __table_args__ = (
        _partial("ix_outbox_message_due", "next_attempt_at", "id", where="status = 'pending'"),
        _partial("ix_outbox_message_lease", "claimed_until", where="status = 'sending'"),
        _partial("ix_outbox_message_sent", "sent_at", where="status = 'sent'"),
        _partial("ix_outbox_message_dead", "id", where="status = 'dead'"),
        _partial("ix_outbox_message_recipient", "recipient", where="recipient <> ''"),
        _partial("ix_outbox_message_building_id", "building_id", where="building_id IS NOT NULL"),
    )
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True, max_length=200)
    channel: str = "auto"  # auto | mp_custom | mp_template | wecom_app | group_robot | console
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    kind: str = "notice"  # what it is about: binding, ticket, emergency, notice, ...
    text: str
    payload: dict[str, Any] = json_field()  # e.g. {"format": "markdown"} for a group robot
    status: OutboxStatus = enum_field(OutboxStatus, OutboxStatus.pending)
    attempts: int = 0
    last_error: str = ""
    created_at: datetime = utc_field()
    next_attempt_at: datetime = utc_field()
    sent_at: datetime | None = utc_field(nullable=True)
    # Delivery bookkeeping, set when a worker claims the row.
    claimed_by: str = ""
    claimed_until: datetime | None = utc_field(nullable=True)
    via: str = ""  # the channel actually used
    recipient: str = ""  # rate-limit key of the recipient: person:<id> | robot:<webhook key>
    parts: int = 1  # long texts go out in several messages
    parts_sent: int = 0  # parts already delivered (never sent again on retry)
    lease_token: int = 0  # fencing token: one more on every claim (see the module docstring)
    in_flight: bool = False  # a part's send has started; its outcome is not recorded yet


def is_status(status: OutboxStatus) -> ColumnElement[bool]:
    """``status = '<value>'`` with the value written into the SQL, not bound: only then can the
    planner (SQLite's, or PostgreSQL's generic plan) match the partial indexes above."""
    return col(OutboxMessage.status) == literal_column(f"'{status.value}'")


_ID_BY_KEY = select(OutboxMessage.id).where(OutboxMessage.idempotency_key == bindparam("key"))


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
    """Add a push to the current transaction; the same key twice yields the existing row.

    For many pushes at once, ``models.fanout.enqueue_many``.
    """
    if person_id is None and building_id is None:
        raise ValueError("a push needs a person or a building")
    # Usually the key is new: ask for the id as a plain row, load the message only when found.
    found = read(session, _ID_BY_KEY, {"key": idempotency_key}).scalar()
    if found is not None:
        existing = session.get(OutboxMessage, found)
        assert existing is not None
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


def _claimable(now: datetime) -> Any:
    return or_(
        and_(is_status(OutboxStatus.pending), col(OutboxMessage.next_attempt_at) <= now),
        and_(is_status(OutboxStatus.sending), col(OutboxMessage.claimed_until) < now),
    )


def due(session: Session, *, now: datetime, limit: int) -> list[OutboxMessage]:
    """Rows a worker may claim now, oldest first: pending and due, or abandoned by a dead worker.

    On PostgreSQL rows locked by another worker's claim are skipped rather than waited for.
    """
    query = (
        select(OutboxMessage)
        .where(_claimable(now))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(query))


def any_due(session: Session, *, now: datetime, skip: Collection[int] = ()) -> bool:
    """A cheap read: is there anything to claim, but the rows ``skip``? (Idle workers then skip
    the write lock.)"""
    query = select(OutboxMessage.id).where(_claimable(now))
    if skip:
        query = query.where(col(OutboxMessage.id).not_in(list(skip)))
    return session.exec(query.limit(1)).first() is not None


def load(session: Session, *, message_id: int) -> OutboxMessage | None:
    """The row as it is in the database now (not the copy this session may hold)."""
    return session.exec(
        select(OutboxMessage).where(OutboxMessage.id == message_id).execution_options(populate_existing=True)
    ).first()


def claim(
    session: Session,
    *,
    message_id: int,
    worker: str,
    via: str,
    recipient: str,
    parts: int,
    lease: timedelta,
    now: datetime,
) -> int | None:
    """pending/abandoned → sending for ``worker`` until ``now + lease``; the new lease token (quote
    it in every later call), or None if the row was not claimable (someone else won)."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, _claimable(now))
        .values(
            status=OutboxStatus.sending,
            claimed_by=worker,
            claimed_until=now + lease,
            via=via,
            recipient=recipient,
            parts=parts,
            attempts=OutboxMessage.attempts + 1,
            lease_token=OutboxMessage.lease_token + 1,
            in_flight=False,
        )
        .returning(OutboxMessage.lease_token)
    )
    token = result.scalar_one_or_none()
    return None if token is None else int(token)


def _held(message_id: int, worker: str, token: int) -> Any:
    """The row is still ``worker``'s under the claim that handed out ``token``."""
    return and_(
        col(OutboxMessage.id) == message_id,
        is_status(OutboxStatus.sending),
        OutboxMessage.claimed_by == worker,
        OutboxMessage.lease_token == token,
    )


def renew(
    session: Session, *, message_id: int, worker: str, token: int, lease: timedelta, now: datetime
) -> bool:
    """The fence right before a send: True (and the lease runs ``lease`` from now, the row marked
    in flight) only if ``worker`` still holds the row under ``token`` and its lease has not run out."""
    result = session.execute(
        update(OutboxMessage)
        .where(_held(message_id, worker, token), col(OutboxMessage.claimed_until) > now)
        .values(claimed_until=now + lease, in_flight=True)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def renew_all(
    session: Session, *, held: list[tuple[int, int]], worker: str, lease: timedelta, now: datetime
) -> int:
    """The heartbeat: extend the unexpired leases ``worker`` still holds among ``held`` (pairs of
    row id and lease token); how many it still holds."""
    if not held:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(
            tuple_(col(OutboxMessage.id), col(OutboxMessage.lease_token)).in_(held),
            is_status(OutboxStatus.sending),
            OutboxMessage.claimed_by == worker,
            col(OutboxMessage.claimed_until) > now,
        )
        .values(claimed_until=now + lease)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, *, message_id: int, worker: str, token: int) -> bool:
    """Hand back a claimed row that was never sent (the worker is stopping): pending again, due
    as it was, and the claim does not count as an attempt."""
    result = session.execute(
        update(OutboxMessage)
        .where(_held(message_id, worker, token), OutboxMessage.in_flight == False)  # noqa: E712
        .values(status=OutboxStatus.pending, claimed_until=None, attempts=OutboxMessage.attempts - 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def record_part(session: Session, *, message_id: int, worker: str, token: int, parts_sent: int) -> bool:
    """Remember that the first ``parts_sent`` parts are delivered, so a retry skips them."""
    result = session.execute(
        update(OutboxMessage)
        .where(_held(message_id, worker, token))
        .values(parts_sent=parts_sent, in_flight=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_sent(session: Session, *, message_id: int, worker: str, token: int, now: datetime, via: str) -> bool:
    """sending → sent, for the holder of ``token`` only. A lease that ran out during the call but
    was not taken over still counts: nobody else can have sent the row."""
    result = session.execute(
        update(OutboxMessage)
        .where(_held(message_id, worker, token))
        .values(
            status=OutboxStatus.sent, sent_at=now, claimed_until=None, last_error="", via=via, in_flight=False
        )
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_failed(
    session: Session,
    *,
    message_id: int,
    worker: str,
    token: int,
    error: str,
    retry_at: datetime | None,
    attempts: int | None = None,
) -> bool:
    """Back to pending until ``retry_at``, or dead (``retry_at`` None) with the reason; for the
    holder of ``token`` only. ``attempts`` resets the count (an attempt that delivered some parts
    made progress)."""
    values: dict[str, Any] = {"last_error": error[:500], "claimed_until": None, "in_flight": False}
    if attempts is not None:
        values["attempts"] = attempts
    if retry_at is None:
        values["status"] = OutboxStatus.dead
    else:
        values.update(status=OutboxStatus.pending, next_attempt_at=retry_at)
    result = session.execute(update(OutboxMessage).where(_held(message_id, worker, token)).values(**values))
    return result.rowcount == 1  # type: ignore[attr-defined]


def defer(session: Session, *, message_id: int, until: datetime, now: datetime) -> bool:
    """Leave a due pending row for later (its recipient or channel is at its rate limit)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            is_status(OutboxStatus.pending),
            col(OutboxMessage.next_attempt_at) <= now,
        )
        .values(next_attempt_at=until)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def recent_load(
    session: Session, *, now: datetime, window: timedelta, via: str = "", recipient: str = ""
) -> tuple[int, datetime | None]:
    """Messages (counting parts) sent or being sent in the last ``window`` for a channel or a
    recipient, and the oldest such send (when the window frees up)."""
    since = now - window
    query = select(func.coalesce(func.sum(OutboxMessage.parts), 0), func.min(OutboxMessage.sent_at)).where(
        or_(
            and_(is_status(OutboxStatus.sent), col(OutboxMessage.sent_at) > since),
            and_(is_status(OutboxStatus.sending), col(OutboxMessage.claimed_until) >= now),
        )
    )
    if via:
        query = query.where(OutboxMessage.via == via)
    if recipient:
        query = query.where(OutboxMessage.recipient == recipient)
    total, oldest = session.execute(query).one()
    return int(total), oldest


def handoff_request_key(dedupe_key: str, person_id: int) -> str:
    """The idempotency key of the push asking ``person_id`` to call back after message ``dedupe_key``."""
    return f"handoff:{dedupe_key}:{person_id}"


def handoff_just_asked(session: Session, *, user_id: str, dedupe_key: str) -> list[OutboxMessage]:
    """The call-back pushes the sender's previous message (the one before ``dedupe_key``) asked for."""
    previous = previous_key(session, user_id=user_id, before_key=dedupe_key)
    if previous is None:
        return []
    prefix = handoff_request_key(previous, 0)[:-1]
    query = select(OutboxMessage).where(col(OutboxMessage.idempotency_key).startswith(prefix))
    return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def listing(session: Session, *, status: OutboxStatus | None = None, limit: int = 200) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if status is not None:
        query = query.where(is_status(status))
    return list(session.exec(query))


def retry_dead(session: Session, *, message_id: int, now: datetime) -> OutboxMessage:
    """dead → pending, due now, with a fresh attempt budget; parts already sent stay sent."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, is_status(OutboxStatus.dead))
        .values(status=OutboxStatus.pending, attempts=0, next_attempt_at=now, claimed_by="")
    )
    message = load(session, message_id=message_id)
    if message is None:
        raise LookupError(f"outbox message {message_id} not found")
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ValueError(f"outbox message {message_id} is {message.status}, not dead")
    return message


def retry_all_dead(session: Session, *, now: datetime) -> int:
    result = session.execute(
        update(OutboxMessage)
        .where(is_status(OutboxStatus.dead))
        .values(status=OutboxStatus.pending, attempts=0, next_attempt_at=now, claimed_by="")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def outbox_backlog(engine: Engine, *, now: datetime) -> dict[str, int]:
    """For /healthz: pushes waiting to be sent (and the oldest one's age in seconds), dead letters."""
    waiting = is_status(OutboxStatus.pending) | is_status(OutboxStatus.sending)
    with engine.connect() as connection:
        pending, oldest = connection.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(waiting)
        ).one()
        dead = connection.execute(select(func.count()).where(is_status(OutboxStatus.dead))).scalar_one()
    age = int((now - oldest).total_seconds()) if oldest is not None else 0
    return {"pending": int(pending), "oldest_seconds": max(age, 0), "dead": int(dead)}
