"""Metrics (12345 接诉即办 style): 响应率, 解决率, 满意率, 化解率 and the share settled at the lowest level.

Resolution, satisfaction and 化解率 come from the residents' own answers and ratings, never the
handler's (化解率: the parties' answers after a mediation, ``models.mediation``). Each rate is in
[0, 1], or None when there is nothing to rate. Complaints about the property company are counted
apart. Breakdowns by building, grid, handler and month.

Everything is counted by the database (``SUM(CASE …)`` aggregates, grouped), never by loading
tickets: a district of a million tickets answers in milliseconds. The scope is a month, a set of
buildings (a grid worker's grid) and/or one community (its buildings' tickets).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, text
from sqlmodel import Session, col

from models.base import LOCAL_TZ
from models.community import Building, Grid
from models.mediation import MediationAnswer
from models.people import Person
from models.tickets import OPEN, Rating, Ticket, TicketKind, TicketStatus

RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "mediation_rate", "lowest_level_share")
LEVELS = ("building", "community", "street")
Join = tuple[Any, ColumnElement[bool]]


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _columns(t: Any, now: datetime) -> list[ColumnElement[Any]]:
    """Every count the rates need, over ``t``: the ticket table or a subquery with its columns."""
    complaint, is_open = t.kind == TicketKind.complaint, t.status.in_(OPEN)
    # The work the rates are about: not complaints (counted apart), not cancelled.
    work = and_(t.kind != TicketKind.complaint, t.status != TicketStatus.cancelled)
    concluded = and_(work, t.kind == TicketKind.dispute, t.outcome != "")
    settled = and_(concluded, t.outcome == "resolved")
    accepted = t.accepted_at.is_not(None)
    return [
        func.count().label("total"),
        _flag(is_open).label("open"),
        _flag(~complaint).label("main_total"),
        _flag(and_(~complaint, is_open)).label("main_open"),
        # 响应率: accepted within the time limit, among those accepted or already past their limit.
        _flag(and_(work, accepted | (t.due_at <= now))).label("due"),
        _flag(and_(work, accepted, t.accepted_at <= t.due_at)).label("responded"),
        _flag(and_(work, t.resident_fixed.is_not(None))).label("answered"),
        _flag(and_(work, t.resident_fixed.is_(True))).label("fixed"),
        _flag(and_(settled, t.settled_level == "building")).label("lowest"),
        _flag(settled).label("settled"),
        *(_flag(and_(concluded, t.settled_level == lv)).label(f"level_{lv}") for lv in LEVELS),
        _flag(and_(complaint, is_open)).label("complaints_open"),
        _flag(and_(complaint, t.resident_fixed.is_not(None))).label("complaints_answered"),
        _flag(and_(complaint, t.resident_fixed.is_(True))).label("complaints_fixed"),
        _flag(and_(work, t.overall.is_not(None))).label("rated"),
        _flag(and_(work, t.overall >= 4)).label("satisfied"),
        # 化解率: per concluded dispute with an answer, settled when everyone who answered said so.
        _flag(and_(concluded, t.verdict.is_not(None))).label("heard"),
        _flag(and_(concluded, t.verdict == 1)).label("mediated"),
    ]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The UTC instants at which the local calendar month "2026-11" begins and ends."""
    year, number = int(month[:4]), int(month[5:7])
    first = datetime(year, number, 1, tzinfo=LOCAL_TZ)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return first.astimezone(UTC), following.astimezone(UTC)


def scope(
    session: Session,
    *,
    month: str | None = None,
    building_ids: frozenset[int] | None = None,
    community_id: int | None = None,
) -> list[ColumnElement[bool]]:
    """The conditions on ``Ticket`` that select the tickets the figures are about."""
    where: list[ColumnElement[bool]] = []
    if month is not None:
        start, end = month_bounds(month)
        where += [col(Ticket.created_at) >= start, col(Ticket.created_at) < end]
    if building_ids is not None:
        where.append(col(Ticket.building_id).in_(sorted(building_ids)))
    if community_id is not None:  # the community's buildings, listed: the planner counts their tickets
        where.append(col(Ticket.building_id).in_(community_buildings(session, community_id)))
    return where


def community_buildings(session: Session, community_id: int) -> list[int]:
    query = select(Building.id).where(Building.community_id == community_id).order_by(col(Building.id))
    return [i for i in session.execute(query).scalars() if i is not None]


def _counts(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    now: datetime,
    key: ColumnElement[Any] | None = None,
    joins: Sequence[Join] = (),
) -> dict[Any, dict[str, int]]:
    """Per value of ``key`` (or for the whole scope: key None), every count the rates need, in
    one statement. A ticket's rating and its parties' verdict are looked up per ticket (by index),
    never by reading either table whole."""
    rating = select(Rating.overall).where(col(Rating.ticket_id) == col(Ticket.id)).scalar_subquery()
    verdict = (
        select(func.min(case((col(MediationAnswer.settled).is_(True), 1), else_=0)))
        .where(col(MediationAnswer.ticket_id) == col(Ticket.id), col(MediationAnswer.settled).is_not(None))
        .scalar_subquery()
    )
    fields = [Ticket.kind, Ticket.status, Ticket.accepted_at, Ticket.due_at, Ticket.resident_fixed]
    fields += [Ticket.outcome, Ticket.settled_level]
    work = and_(col(Ticket.kind) != TicketKind.complaint, col(Ticket.status) != TicketStatus.cancelled)
    concluded = and_(work, col(Ticket.kind) == TicketKind.dispute, col(Ticket.outcome) != "")
    inner = select(
        *([key.label("key")] if key is not None else []),
        *(col(f) for f in fields),
        case((work, rating)).label("overall"),
        case((concluded, verdict)).label("verdict"),
    ).select_from(Ticket)
    for target, on in joins:
        inner = inner.join(target, on)
    # OFFSET 0 keeps the per-ticket rows a subquery of their own, so that each ticket's rating and
    # verdict are looked up once, not once for every count that reads them.
    per_ticket = inner.where(*where).offset(0).subquery()
    query = select(*([per_ticket.c.key] if key is not None else []), *_columns(per_ticket.c, now))
    if key is not None:
        query = query.group_by(per_ticket.c.key)
    if session.get_bind().dialect.name == "postgresql":
        # The per-ticket lookups make the planner's cost look high enough to compile the query
        # (JIT): seconds of compiling for milliseconds of work.
        session.execute(text("SET LOCAL jit = off"))
    rows: dict[Any, dict[str, int]] = {}
    for row in session.execute(query).mappings():
        counts = {k: int(v or 0) for k, v in row.items() if k != "key"}
        if counts["total"]:
            rows[row["key"] if key is not None else None] = counts
    return rows


def rates(counts: dict[str, int], *, weights: dict[str, float], main: bool = False) -> dict[str, Any]:
    """The rates from :func:`_counts`' counts; ``main``: total and open leave complaints out."""
    c = counts
    result: dict[str, Any] = {
        "total": c["main_total" if main else "total"],
        "open": c["main_open" if main else "open"],
        "response_rate": _ratio(c["responded"], c["due"]),
        "resolution_rate": _ratio(c["fixed"], c["answered"]),
        "satisfaction_rate": _ratio(c["satisfied"], c["rated"]),
        "mediation_rate": _ratio(c["mediated"], c["heard"]),
        "lowest_level_share": _ratio(c["lowest"], c["settled"]),
        "settled_levels": {level: c[f"level_{level}"] for level in LEVELS},
    }
    present = {k: result[k] for k in RATES if result[k] is not None and weights.get(k)}
    weight = sum(weights[k] for k in present)
    result["score"] = round(sum(weights[k] * v for k, v in present.items()) / weight, 4) if weight else None
    return result


COUNTS = ("total", "open", "main_total", "main_open", "due", "responded", "answered", "fixed", "lowest")
COUNTS += ("settled", *(f"level_{level}" for level in LEVELS), "complaints_open", "complaints_answered")
COUNTS += ("complaints_fixed", "rated", "satisfied", "heard", "mediated")
EMPTY = dict.fromkeys(COUNTS, 0)


def headline(
    session: Session,
    *,
    now: datetime,
    weights: dict[str, float],
    month: str | None = None,
    building_ids: frozenset[int] | None = None,
    community_id: int | None = None,
) -> dict[str, Any]:
    """The rates of the scope (complaints left out) and the complaints' own figures, without the
    breakdowns: what the chat, the monthly report and the console's month figures show."""
    where = scope(session, month=month, building_ids=building_ids, community_id=community_id)
    counts = _counts(session, where=where, now=now).get(None, EMPTY)
    return {
        **rates(counts, weights=weights, main=True),
        "month": month,
        "complaints": {
            "total": counts["total"] - counts["main_total"],
            "open": counts["complaints_open"],
            "resolution_rate": _ratio(counts["complaints_fixed"], counts["complaints_answered"]),
        },
        "weights": weights,
    }


THREE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
# The counts behind each of the 三率: (hits, out of).
THREE_RATE_PARTS = {
    "response_rate": ("responded", "due"),
    "resolution_rate": ("fixed", "answered"),
    "satisfaction_rate": ("satisfied", "rated"),
}


def three_rates(
    session: Session, *, now: datetime, start: datetime, end: datetime, community_id: int | None = None
) -> dict[str, Any]:
    """The 三率 of the tickets created in [start, end) (complaints left out, as in
    :func:`headline`) with the counts each rests on, so that a published figure can be checked."""
    where = scope(session, community_id=community_id)
    where += [col(Ticket.created_at) >= start, col(Ticket.created_at) < end]
    counts = _counts(session, where=where, now=now).get(None, EMPTY)
    parts = {name: {"hits": counts[h], "of": counts[o]} for name, (h, o) in THREE_RATE_PARTS.items()}
    return {
        **{name: _ratio(p["hits"], p["of"]) for name, p in parts.items()},
        "counts": parts,
    }


def _month_key(session: Session) -> ColumnElement[str]:
    """The local calendar month of a ticket's creation, "2026-11" (China keeps no summer time)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", col(Ticket.created_at)), "YYYY-MM")
    return func.strftime("%Y-%m", col(Ticket.created_at), "+8 hours")


def compute(
    session: Session,
    *,
    now: datetime,
    weights: dict[str, float],
    month: str | None = None,
    building_ids: frozenset[int] | None = None,
    community_id: int | None = None,
) -> dict[str, Any]:
    """The headline figures and their breakdowns by building, grid, handler and month."""
    where = scope(session, month=month, building_ids=building_ids, community_id=community_id)
    in_building: Join = (Building, col(Building.id) == col(Ticket.building_id))
    splits: dict[str, tuple[ColumnElement[Any], list[Join]]] = {
        "by_building": (col(Building.number), [in_building]),
        "by_grid": (col(Grid.name), [in_building, (Grid, col(Grid.id) == col(Building.grid_id))]),
        "by_handler": (col(Person.name), [(Person, col(Person.id) == col(Ticket.assignee_id))]),
        "by_month": (_month_key(session), []),
    }
    result = headline(
        session, now=now, weights=weights, month=month, building_ids=building_ids, community_id=community_id
    )
    weights = result.pop("weights")
    for name, (key, joins) in splits.items():
        groups = _counts(session, where=where, now=now, key=key, joins=joins)
        result[name] = [
            {"key": k, **rates(counts, weights=weights)} for k, counts in sorted(groups.items()) if k
        ]
    result["weights"] = weights
    return result
