"""One page of a query, counted and cut in the database (never a whole table in memory)."""

from __future__ import annotations

from math import ceil
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select
from sqlmodel import Session

PAGE_SIZE = 30


def paged(session: Session, query: Select[Any], *, page: int, size: int = PAGE_SIZE) -> tuple[list[Any], int]:
    """Rows of page ``page`` (from 1) and the count of every match."""
    total = int(
        session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    )
    number = max(1, min(page, pages(total, size)))
    rows = session.execute(query.limit(size).offset((number - 1) * size)).all()
    return [row if len(row) > 1 else row[0] for row in rows], total


def pages(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, ceil(total / size))
