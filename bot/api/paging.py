"""Pages for every list: ``?limit=&offset=`` applied in the database, never a whole table.

A list answers ``{items, total, limit, offset, next}``: ``total`` counts every match (not just
this page), ``next`` is the offset of the next page (null on the last one). The same is in the
headers for clients that only want the items: ``X-Total-Count`` and ``Link: <…>; rel="next"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.sql import Select
from sqlmodel import Session

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def paging(default: int = DEFAULT_LIMIT) -> Callable[..., Page]:
    """A dependency reading ``limit`` (1..1000, ``default`` when absent) and ``offset`` (≥ 0)."""

    def page(
        limit: Annotated[
            int, Query(ge=1, le=MAX_LIMIT, description=f"items per page (at most {MAX_LIMIT})")
        ] = default,
        offset: Annotated[
            int, Query(ge=0, le=MAX_OFFSET, description="items to skip: the previous answer's `next`")
        ] = 0,
    ) -> Page:
        return Page(limit=limit, offset=offset)

    return page


PageDep = Annotated[Page, Depends(paging())]


def fetch(session: Session, query: Select[Any], page: Page) -> tuple[list[Any], int]:
    """One page of ``query``'s rows (ORM entities, or tuples for several columns) and the total."""
    count = select(func.count()).select_from(query.order_by(None).subquery())
    total = session.execute(count).scalar_one()
    rows = list(session.exec(query.limit(page.limit).offset(page.offset)).all())  # type: ignore[call-overload]
    return rows, int(total)


def window(items: Sequence[T], page: Page) -> tuple[list[T], int]:
    """One page of a list that does not come from the database (the knowledge files)."""
    return list(items[page.offset : page.offset + page.limit]), len(items)


def listing(
    request: Request, response: Response, page: Page, items: list[Any], total: int, **extra: Any
) -> dict[str, Any]:
    """The list answer, with ``X-Total-Count`` and a ``Link`` to the next page when there is one."""
    following = page.offset + page.limit if page.offset + page.limit < total else None
    response.headers["X-Total-Count"] = str(total)
    if following is not None:
        url = request.url.include_query_params(limit=page.limit, offset=following)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return {
        "items": items,
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "next": following,
        **extra,
    }
