"""The points ledger (积分): append-only integer entries; every balance is a sum, never stored.

A debit (a redemption) takes the person's lock row first, then checks the balance and inserts
the entry in ONE ``INSERT ... SELECT ... WHERE balance >= cost`` statement: under READ COMMITTED
the statement after the lock sees every committed entry, so a balance never goes negative.
Corrections are compensating entries with a reason; nothing is ever updated or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col

from models.base import enum_field, utc_field
from models.people import Person

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class PointSource(StrEnum):
    activity = "activity"
    task = "task"
    redemption = "redemption"
    admin = "admin"


EARNING_SOURCES = (PointSource.activity, PointSource.task, PointSource.admin)


class PointEntry(SQLModel, table=True):
    __tablename__ = "point_entry"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    amount: int  # positive earns, negative spends
    reason: str
    source: PointSource = enum_field(PointSource, PointSource.admin, index=True)
    source_ref: str = Field(default="", max_length=100)  # e.g. "activity:3", "redemption:7"
    operator: str = Field(default="", max_length=100)  # "system", an admin token tag, an openid
    idempotency_key: str | None = Field(default=None, unique=True, max_length=200)
    created_at: datetime = utc_field(index=True)


class PointAccount(SQLModel, table=True):
    """One lock row per person (debits serialise on it) and their ranking opt-out."""

    __tablename__ = "point_account"  # type: ignore[assignment]
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    ranking_opt_out: bool = False
    version: int = 0


def _insert_ignore(session: Session, table: type[SQLModel], values: dict[str, object], key: str) -> int:
    """INSERT ... ON CONFLICT (key) DO NOTHING on either engine; returns 1 if a row was added."""
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(table).values(**values).on_conflict_do_nothing(index_elements=[key])
    # RETURNING, not rowcount: drivers disagree on rowcount for INSERT (psycopg reports -1 here).
    returned = session.connection().execute(statement.returning(literal(1))).first()
    return 0 if returned is None else 1


def _account(session: Session, person_id: int) -> None:
    _insert_ignore(
        session, PointAccount, {"person_id": person_id, "ranking_opt_out": False, "version": 0}, "person_id"
    )


def lock_account(session: Session, *, person_id: int) -> None:
    """Take the person's lock row for the rest of the transaction (row lock on PostgreSQL)."""
    _account(session, person_id)
    session.execute(
        update(PointAccount)
        .where(col(PointAccount.person_id) == person_id)
        .values(version=PointAccount.version + 1)
    )


def credit(
    session: Session,
    *,
    person_id: int,
    amount: int,
    reason: str,
    source: PointSource,
    now: datetime,
    operator: str = "system",
    source_ref: str = "",
    idempotency_key: str | None = None,
) -> bool:
    """Add an entry; with an ``idempotency_key`` the same cause adds it only once. True if added."""
    if not isinstance(amount, int) or amount == 0:
        raise ValueError("an entry is a non-zero whole number of points")
    if not reason.strip():
        raise ValueError("an entry needs a reason")
    values = {
        "person_id": person_id,
        "amount": amount,
        "reason": reason.strip(),
        "source": source.value,
        "source_ref": source_ref,
        "operator": operator,
        "idempotency_key": idempotency_key,
        "created_at": now,
    }
    if idempotency_key is None:
        session.connection().execute(insert(PointEntry).values(**values))
        return True
    return _insert_ignore(session, PointEntry, values, "idempotency_key") == 1


def debit(
    session: Session,
    *,
    person_id: int,
    cost: int,
    reason: str,
    source: PointSource,
    now: datetime,
    operator: str = "system",
    source_ref: str = "",
    idempotency_key: str | None = None,
) -> bool:
    """Spend ``cost`` points if the balance covers it: lock, then check-and-insert in one statement."""
    if not isinstance(cost, int) or cost <= 0:
        raise ValueError("a debit is a positive whole number of points")
    lock_account(session, person_id=person_id)
    balance_now = (
        select(func.coalesce(func.sum(PointEntry.amount), 0))
        .where(col(PointEntry.person_id) == person_id)
        .scalar_subquery()
    )
    values = select(
        literal(person_id),
        literal(-cost),
        literal(reason),
        literal(source.value),
        literal(source_ref),
        literal(operator),
        literal(idempotency_key),
        literal(now, PointEntry.__table__.c.created_at.type),  # type: ignore[attr-defined]
    ).where(balance_now >= cost)
    columns = [
        "person_id",
        "amount",
        "reason",
        "source",
        "source_ref",
        "operator",
        "idempotency_key",
        "created_at",
    ]
    statement = insert(PointEntry).from_select(columns, values).returning(PointEntry.id)
    return session.connection().execute(statement).first() is not None


def balance(session: Session, *, person_id: int) -> int:
    total = session.execute(
        select(func.coalesce(func.sum(PointEntry.amount), 0)).where(col(PointEntry.person_id) == person_id)
    ).scalar_one()
    return int(total)


def history(session: Session, *, person_id: int, limit: int = 10) -> list[PointEntry]:
    query = (
        select(PointEntry)
        .where(col(PointEntry.person_id) == person_id)
        .order_by(col(PointEntry.created_at).desc(), col(PointEntry.id).desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def month_start(now: datetime) -> datetime:
    """The first instant of ``now``'s month in Beijing time."""
    local = now.astimezone(LOCAL_TZ)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class MonthSummary:
    earned: int
    spent: int
    entries: int
    balance: int


def month_summary(session: Session, *, person_id: int, now: datetime) -> MonthSummary:
    start = month_start(now)
    rows = session.execute(
        select(PointEntry.amount).where(
            col(PointEntry.person_id) == person_id, col(PointEntry.created_at) >= start
        )
    ).scalars()
    amounts = list(rows)
    return MonthSummary(
        earned=sum(a for a in amounts if a > 0),
        spent=-sum(a for a in amounts if a < 0),
        entries=len(amounts),
        balance=balance(session, person_id=person_id),
    )


def correct(
    session: Session, *, person_id: int, amount: int, reason: str, operator: str, now: datetime
) -> PointEntry:
    """An admin correction: a compensating entry with a reason (never an edit of an old one)."""
    if not reason.strip():
        raise ValueError("a correction needs a reason")
    if not isinstance(amount, int) or amount == 0:
        raise ValueError("a correction is a non-zero whole number of points")
    if amount < 0:
        lock_account(session, person_id=person_id)
        if balance(session, person_id=person_id) + amount < 0:
            raise ValueError("this correction would make the balance negative")
    entry = PointEntry(
        person_id=person_id,
        amount=amount,
        reason=reason.strip(),
        source=PointSource.admin,
        operator=operator,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def set_ranking_opt_out(session: Session, *, person_id: int, opt_out: bool) -> bool:
    """Leave or rejoin the rankings; True if that changed anything."""
    _account(session, person_id)
    result = session.execute(
        update(PointAccount)
        .where(col(PointAccount.person_id) == person_id, col(PointAccount.ranking_opt_out) == (not opt_out))
        .values(ranking_opt_out=opt_out)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RankRow:
    rank: int
    person_id: int
    name: str
    points: int


def ranking(
    session: Session,
    *,
    now: datetime,
    monthly: bool = True,
    building_id: int | None = None,
    limit: int = 10,
) -> list[RankRow]:
    """Earned points (activities, tasks, admin awards; not redemptions), opted-out people left out."""
    from models.community import Room

    total = func.sum(PointEntry.amount).label("total")
    query = (
        select(Person.id, Person.name, total)
        .join(PointEntry, col(PointEntry.person_id) == Person.id)
        .outerjoin(PointAccount, col(PointAccount.person_id) == Person.id)
        .where(
            col(PointEntry.source).in_([s.value for s in EARNING_SOURCES]),
            col(PointAccount.ranking_opt_out).is_not(True),
        )
        .group_by(Person.id, Person.name)
        .having(func.sum(PointEntry.amount) > 0)
        .order_by(total.desc(), col(Person.id))
        .limit(limit)
    )
    if monthly:
        query = query.where(col(PointEntry.created_at) >= month_start(now))
    if building_id is not None:
        query = query.join(Room, col(Room.id) == Person.room_id).where(col(Room.building_id) == building_id)
    rows = session.execute(query).all()
    ranked: list[RankRow] = []
    for index, (person_id, name, points) in enumerate(rows):
        rank = ranked[-1].rank if ranked and ranked[-1].points == points else index + 1
        ranked.append(RankRow(rank, person_id, name or "匿名邻居", int(points)))
    return ranked


def rank_of(session: Session, *, person_id: int, now: datetime, monthly: bool = True) -> int | None:
    rows = ranking(session, now=now, monthly=monthly, limit=100_000)
    return next((row.rank for row in rows if row.person_id == person_id), None)


def is_opted_out(session: Session, *, person_id: int) -> bool:
    account = session.get(PointAccount, person_id)
    return bool(account and account.ranking_opt_out)
