"""Column types and helpers shared by every table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.sql import Executable
from sqlmodel import Field, Session

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # how times are shown to people
# Ids, counts and amounts are INTEGER columns: 32 bits on PostgreSQL. A number past this is no
# row's id, and no count or amount the database could store.
MAX_INT = 2**31 - 1

T = TypeVar("T")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns aware datetimes (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_field(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None if nullable else ..., sa_type=UTCDateTime, nullable=nullable, index=index)


def _empty_dict() -> dict[str, Any]:
    return {}


def _empty_list() -> list[Any]:
    return []


def json_field(default_factory: Any = dict) -> Any:
    # Plain functions, not the builtins: pydantic inspects a default factory's signature on every
    # construction, and for builtins that means parsing a text signature (~0.2 ms each time).
    factory = {dict: _empty_dict, list: _empty_list}.get(default_factory, default_factory)
    return Field(default_factory=factory, sa_type=JSON)


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_field(enum_cls: type[Enum], default: Enum, *, index: bool = False) -> Any:
    """Stored as VARCHAR (no native enum), so adding a value needs no schema change."""
    return Field(
        default=default,
        sa_type=SAEnum(
            enum_cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
        ),
        index=index,
    )


def month_of(moment: datetime) -> str:
    """The local calendar month of ``moment``, as "2026-11"."""
    return f"{moment.astimezone(LOCAL_TZ):%Y-%m}"


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def per_transaction(session: Session, key: str, load: Callable[[], T]) -> T:
    """``load()`` once per transaction of ``session``, for small tables that every message of a
    batch reads alike (the buildings, the admins): the next transaction reads them afresh."""
    session.connection()  # begins the transaction if none has begun
    transaction = session.get_transaction()
    memo = session.info.get("per_transaction")
    if memo is None or memo[0] is not transaction:
        memo = session.info["per_transaction"] = (transaction, {})
    values: dict[str, Any] = memo[1]
    if key not in values:
        values[key] = load()
    return values[key]


def read(
    session: Session, statement: Executable, params: Mapping[str, Any] | None = None
) -> CursorResult[Any]:
    """Run a select of columns in the session's transaction, pending changes flushed first as
    ``session.execute`` would, without the ORM's work per statement (about 30 µs, more than the
    query itself): for the reads on the path of every message."""
    session.flush()
    return session.connection().execute(statement, params or {})


def by_id(session: Session, model: type[T], number: int | str | None) -> T | None:
    """The ``model`` row with this id, or None; a number no id can be (0, negative, past
    ``MAX_INT``, not a number at all) is simply not found rather than sent to the database."""
    try:
        value = int(number)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return session.get(model, value) if 0 < value <= MAX_INT else None
