"""The figures of a district add up: each community's counts are its own tickets only, the
communities' counts sum to the district's, and the breakdowns sum to their scope.

The district is bench/district_data.py's at a small scale (2 communities, 10,000 tickets)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bench.district_data import NOW, Shape, generate
from models.community import Building
from models.sla import TicketRules
from models.stats import compute, headline
from models.tickets import Ticket, TicketKind

WEIGHTS = TicketRules().metric_weights


def test_two_communities_add_up_to_the_district_and_never_see_each_other(engine: Engine) -> None:
    generate(engine, Shape.at(0.01))
    with Session(engine) as session:
        district = headline(session, now=NOW, weights=WEIGHTS)
        one, two = (headline(session, now=NOW, weights=WEIGHTS, community_id=c) for c in (1, 2))
        first = select(Building.id).where(Building.community_id == 1).scalar_subquery()
        own = session.execute(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.building_id.in_(first), Ticket.kind != TicketKind.complaint)  # type: ignore[union-attr]
        ).scalar_one()
        full = compute(session, now=NOW, weights=WEIGHTS, community_id=1, month="2026-11")
        month = headline(session, now=NOW, weights=WEIGHTS, community_id=1, month="2026-11")
    assert one["total"] == own and two["total"] == district["total"] - own
    assert one["complaints"]["total"] + two["complaints"]["total"] == district["complaints"]["total"]
    assert {
        k: one["settled_levels"][k] + two["settled_levels"][k] for k in one["settled_levels"]
    } == district["settled_levels"]
    for rate in ("response_rate", "resolution_rate", "satisfaction_rate", "mediation_rate"):
        low, high = sorted((one[rate], two[rate]))
        assert low <= district[rate] <= high, rate  # a district's rate lies between its parts'
    # Each breakdown of a month (complaints included) sums to the month's tickets.
    everything = month["total"] + month["complaints"]["total"]
    for split in ("by_building", "by_grid", "by_month"):
        assert sum(row["total"] for row in full[split]) == everything, split
    assert 0 < sum(row["total"] for row in full["by_handler"]) <= everything  # not yet dispatched: no one
    assert [row["key"] for row in full["by_month"]] == ["2026-11"]
    assert len(full["by_building"]) == 20  # community 1's buildings only (numbered 1..20 in both)
