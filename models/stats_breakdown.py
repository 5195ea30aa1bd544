"""A month's 三率 per building, per grid and per handler, counted in SQL (one GROUP BY each).

The definitions are ``models.stats.rates``'s, written as SQL over the month's tickets (created in
the local month); every rate keeps its sample size so a page can say 「80%（n=5）」 or 「无数据」:

- received: the tickets filed, complaints counted apart (as 12345 does); cancelled ones included;
- 响应率 responded / due: accepted within the time limit, among those accepted or already past it;
- 解决率 fixed / answered: the residents who said 「解决了」, among those who answered;
- 满意率 satisfied / rated: an overall rating of 4 or 5, among the rated;
- 化解率 settled / heard: disputes with an outcome whose parties all said 化解, among those with
  at least one party's answer (``models.mediation.settled_by_parties``).

Complaints and cancelled tickets are left out of every rate. Every group's counts add up to the
community's: tickets without a building, a grid or a handler get a row of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, true
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from models.base import LOCAL_TZ
from models.community import Building, Grid, address_label
from models.mediation import MediationAnswer
from models.people import Person
from models.tickets import OPEN, Rating, Ticket, TicketKind, TicketStatus

COUNTS = (
    "received",
    "complaints",
    "open",
    "due",
    "responded",
    "answered",
    "fixed",
    "rated",
    "satisfied",
    "heard",
    "settled",
)
# rate name → (hits, sample size)
RATE_PARTS = {
    "response_rate": ("responded", "due"),
    "resolution_rate": ("fixed", "answered"),
    "satisfaction_rate": ("satisfied", "rated"),
    "mediation_rate": ("settled", "heard"),
}
NO_BUILDING, NO_GRID, NO_HANDLER = "公共区域", "未划网格", "未派单"  # as the 概览 names them


def ratio(hits: int, total: int) -> float | None:
    """As ``models.stats``: rounded to 4 places, None when there is nothing to rate."""
    return round(hits / total, 4) if total else None


@dataclass(frozen=True)
class Figures:
    """One group's counts for the month; the rates derive from them."""

    key: int | None  # the building's, grid's or person's id; None for 公共区域, 未划网格 or 未派单
    name: str
    received: int = 0
    complaints: int = 0
    open: int = 0
    due: int = 0
    responded: int = 0
    answered: int = 0
    fixed: int = 0
    rated: int = 0
    satisfied: int = 0
    heard: int = 0
    settled: int = 0

    def rate(self, name: str) -> float | None:
        hits, size = RATE_PARTS[name]
        return ratio(getattr(self, hits), getattr(self, size))

    def size(self, name: str) -> int:
        return int(getattr(self, RATE_PARTS[name][1]))

    @property
    def rates(self) -> dict[str, float | None]:
        return {name: self.rate(name) for name in RATE_PARTS}


@dataclass(frozen=True)
class Breakdown:
    month: str
    community: Figures
    buildings: list[Figures]
    grids: list[Figures]
    handlers: list[Figures]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The UTC instants where the local month "2026-11" starts and the next one starts."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValueError(f"not a month: {month!r}")
    year, number = int(month[:4]), int(month[5:])
    following = (year + 1, 1) if number == 12 else (year, number + 1)
    start = datetime(year, number, 1, tzinfo=LOCAL_TZ)
    end = datetime(*following, 1, tzinfo=LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _aggregates(now: datetime, verdict: Any) -> list[Any]:
    """The COUNTS as SQL aggregates over ticket ⟕ rating ⟕ verdict (see ``_base``)."""
    kind, status = col(Ticket.kind), col(Ticket.status)
    accepted, due_at, fixed = col(Ticket.accepted_at), col(Ticket.due_at), col(Ticket.resident_fixed)
    main = kind != TicketKind.complaint
    work = and_(main, status != TicketStatus.cancelled)
    rated = and_(work, col(Rating.id).is_not(None))
    heard = and_(work, kind == TicketKind.dispute, col(Ticket.outcome) != "", verdict.c.answers.is_not(None))
    conditions = {
        "received": main,
        "complaints": kind == TicketKind.complaint,
        "open": and_(main, status.in_(OPEN)),
        "due": and_(work, or_(accepted.is_not(None), due_at <= now)),
        "responded": and_(work, accepted.is_not(None), accepted <= due_at),
        "answered": and_(work, fixed.is_not(None)),
        "fixed": and_(work, fixed == true()),
        "rated": rated,
        "satisfied": and_(rated, col(Rating.overall) >= 4),
        "heard": heard,
        "settled": and_(heard, verdict.c.refusals == 0),
    }
    return [_count(conditions[name]).label(name) for name in COUNTS]


def _verdicts() -> Any:
    """Per dispute with at least one party's answer: how many answered, how many said not settled."""
    answer = MediationAnswer
    return (
        select(
            col(answer.ticket_id).label("ticket_id"),
            func.count().label("answers"),
            func.sum(case((col(answer.settled) == false(), 1), else_=0)).label("refusals"),
        )
        .where(col(answer.settled).is_not(None))
        .group_by(col(answer.ticket_id))
        .subquery("verdict")
    )


def _base(
    columns: list[Any], *, now: datetime, month: str, building_ids: frozenset[int] | None
) -> Select[Any]:
    start, end = month_bounds(month)
    verdict = _verdicts()
    query = (
        select(*columns, *_aggregates(now, verdict))
        .select_from(Ticket)
        .outerjoin(Rating, col(Rating.ticket_id) == col(Ticket.id))
        .outerjoin(verdict, verdict.c.ticket_id == col(Ticket.id))
        .where(col(Ticket.created_at) >= start, col(Ticket.created_at) < end)
    )
    if building_ids is not None:
        query = query.where(col(Ticket.building_id).in_(sorted(building_ids)))
    return query


def _figures(key: int | None, name: str, row: Any) -> Figures:
    return Figures(key, name, **{count: int(getattr(row, count) or 0) for count in COUNTS})


def community(
    session: Session, *, now: datetime, month: str, building_ids: frozenset[int] | None = None
) -> Figures:
    """The month's figures over every ticket in scope (a grid worker: their grid's buildings)."""
    row = session.exec(_base([], now=now, month=month, building_ids=building_ids)).one()  # type: ignore[call-overload]
    return _figures(None, "全社区" if building_ids is None else "本网格", row)


def _natural(name: str) -> tuple[int, int, str]:
    digits = re.match(r"\d+", name)
    return (0, int(digits.group()), name) if digits else (1, 0, name)


def _merge(found: dict[int | None, Figures], known: dict[int, str], missing: str) -> list[Figures]:
    """Every known group (a quiet building reads 0 and 无数据), then the row of tickets with none (公共区域, 未划网格, 未派单)."""
    rows = [found.get(key) or Figures(key, name) for key, name in known.items()]
    rows += [f for key, f in found.items() if key is not None and key not in known]
    rows.sort(key=lambda f: _natural(f.name))
    if None in found:
        rows.append(Figures(None, missing, **_counts(found[None])))
    return rows


def by_building(
    session: Session, *, now: datetime, month: str, building_ids: frozenset[int] | None = None
) -> list[Figures]:
    key = col(Ticket.building_id)
    query = _base([key.label("key")], now=now, month=month, building_ids=building_ids).group_by(key)
    known = {
        b.id: address_label(b.number, "", "")
        for b in session.exec(select(Building)).all()
        if b.id is not None and (building_ids is None or b.id in building_ids)
    }
    found = {row.key: _figures(row.key, known.get(row.key, ""), row) for row in session.exec(query)}  # type: ignore[call-overload]
    return _merge(found, known, NO_BUILDING)


def by_grid(
    session: Session, *, now: datetime, month: str, building_ids: frozenset[int] | None = None
) -> list[Figures]:
    key = col(Building.grid_id)
    query = (
        _base([key.label("key")], now=now, month=month, building_ids=building_ids)
        .outerjoin(Building, col(Building.id) == col(Ticket.building_id))
        .group_by(key)
    )
    in_scope = {
        b.grid_id
        for b in session.exec(select(Building)).all()
        if building_ids is None or b.id in building_ids
    }
    known = {g.id: g.name for g in session.exec(select(Grid)).all() if g.id is not None and g.id in in_scope}
    found = {row.key: _figures(row.key, known.get(row.key, ""), row) for row in session.exec(query)}  # type: ignore[call-overload]
    return _merge(found, known, NO_GRID)


def by_handler(
    session: Session, *, now: datetime, month: str, building_ids: frozenset[int] | None = None
) -> list[Figures]:
    """Per assignee (the person the ticket is with now); unassigned tickets under 「未派单」."""
    key = col(Ticket.assignee_id)
    query = (
        _base(
            [key.label("key"), col(Person.name).label("name")],
            now=now,
            month=month,
            building_ids=building_ids,
        )
        .outerjoin(Person, col(Person.id) == key)
        .group_by(key, col(Person.name))
    )
    found = {row.key: _figures(row.key, row.name or "", row) for row in session.exec(query)}  # type: ignore[call-overload]
    return _merge(found, {}, NO_HANDLER)


def _counts(figures: Figures) -> dict[str, int]:
    return {c: getattr(figures, c) for c in COUNTS}


def breakdown(
    session: Session, *, now: datetime, month: str, building_ids: frozenset[int] | None = None
) -> Breakdown:
    scope: dict[str, Any] = {"now": now, "month": month, "building_ids": building_ids}
    return Breakdown(
        month=month,
        community=community(session, **scope),
        buildings=by_building(session, **scope),
        grids=by_grid(session, **scope),
        handlers=by_handler(session, **scope),
    )
