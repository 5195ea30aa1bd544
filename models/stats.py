"""Metrics (12345 接诉即办 style): 响应率, 解决率, 满意率, 化解率 and the share settled at the lowest level.

Resolution, satisfaction and 化解率 come from the residents' own answers and ratings, never the
handler's (化解率: the parties' answers after a mediation, ``models.mediation``). Each rate is in [0, 1], or None when there is nothing to rate. Complaints about the
property company are counted apart. Breakdowns by building, grid, handler and month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from models.base import month_of
from models.community import Building, Grid
from models.mediation import settled_by_parties
from models.people import Person
from models.tickets import Rating, Ticket, TicketKind, TicketStatus

RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "mediation_rate", "lowest_level_share")


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def rates(
    tickets: Iterable[Ticket],
    ratings: dict[int, Rating],
    *,
    now: datetime,
    weights: dict[str, float],
    verdicts: dict[int, bool] | None = None,
) -> dict[str, Any]:
    """The rates of ``tickets``; ``verdicts``: per dispute, whether its parties said it was settled."""
    verdicts = verdicts or {}
    items = list(tickets)
    work = [t for t in items if t.kind != TicketKind.complaint and t.status != TicketStatus.cancelled]
    # 响应率: accepted within the time limit, among those accepted or already past their limit.
    due = [t for t in work if t.accepted_at is not None or t.due_at <= now]
    responded = [t for t in due if t.accepted_at is not None and t.accepted_at <= t.due_at]
    answered = [t for t in work if t.resident_fixed is not None]
    rated = [ratings[t.id] for t in work if t.id in ratings]  # type: ignore[index]
    disputes = [t for t in work if t.kind == TicketKind.dispute and t.outcome]
    settled = [t for t in disputes if t.outcome == "resolved"]
    heard = [t for t in disputes if t.id in verdicts]
    result: dict[str, Any] = {
        "total": len(items),
        "open": sum(1 for t in items if t.is_open),
        "response_rate": _ratio(len(responded), len(due)),
        "resolution_rate": _ratio(sum(1 for t in answered if t.resident_fixed), len(answered)),
        "satisfaction_rate": _ratio(sum(1 for r in rated if r.overall >= 4), len(rated)),
        "mediation_rate": _ratio(sum(1 for t in heard if verdicts[t.id]), len(heard)),  # type: ignore[index]
        "lowest_level_share": _ratio(sum(1 for t in settled if t.settled_level == "building"), len(settled)),
        "settled_levels": {
            level: sum(1 for t in disputes if t.settled_level == level)
            for level in ("building", "community", "street")
        },
    }
    present = {k: result[k] for k in RATES if result[k] is not None and weights.get(k)}
    weight = sum(weights[k] for k in present)
    result["score"] = round(sum(weights[k] * v for k, v in present.items()) / weight, 4) if weight else None
    return result


def compute(
    session: Session,
    *,
    now: datetime,
    weights: dict[str, float],
    month: str | None = None,
    building_ids: frozenset[int] | None = None,
) -> dict[str, Any]:
    """The metrics, over every ticket or only those in ``building_ids`` (a grid worker's grid)."""
    tickets = [
        t
        for t in session.exec(select(Ticket))
        if (month is None or month_of(t.created_at) == month)
        and (building_ids is None or t.building_id in building_ids)
    ]
    ratings = {r.ticket_id: r for r in session.exec(select(Rating))}
    verdicts = settled_by_parties(session)
    buildings = {b.id: b for b in session.exec(select(Building))}
    grids = {g.id: g.name for g in session.exec(select(Grid))}
    people = {p.id: p.name for p in session.exec(select(Person))}

    def split(key: Callable[[Ticket], str | None]) -> list[dict[str, Any]]:
        groups: dict[str, list[Ticket]] = defaultdict(list)
        for ticket in tickets:
            name = key(ticket)
            if name:
                groups[name].append(ticket)
        return [
            {"key": name, **rates(group, ratings, now=now, weights=weights, verdicts=verdicts)}
            for name, group in sorted(groups.items())
        ]

    def grid_of(ticket: Ticket) -> str | None:
        building = buildings.get(ticket.building_id)
        return grids.get(building.grid_id) if building and building.grid_id else None

    main = [t for t in tickets if t.kind != TicketKind.complaint]
    complaints = [t for t in tickets if t.kind == TicketKind.complaint]
    summary = rates(main, ratings, now=now, weights=weights, verdicts=verdicts)
    return {
        **summary,
        "month": month,
        "complaints": {
            "total": len(complaints),
            "open": sum(1 for t in complaints if t.is_open),
            "resolution_rate": _ratio(
                sum(1 for t in complaints if t.resident_fixed),
                sum(1 for t in complaints if t.resident_fixed is not None),
            ),
        },
        "by_building": split(
            lambda t: buildings[t.building_id].number if t.building_id in buildings else None
        ),
        "by_grid": split(grid_of),
        "by_handler": split(lambda t: people.get(t.assignee_id) if t.assignee_id else None),
        "by_month": split(lambda t: month_of(t.created_at)),
        "weights": weights,
    }
