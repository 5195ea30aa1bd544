"""The month's figures per building, grid and handler (models.stats_breakdown, in SQL) agree with
the community's (models.stats.compute): the counts add up, and the rates are the same rates."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.community import Building
from models.mediation import MediationAnswer
from models.people import Person, Role
from models.stats import compute
from models.stats_breakdown import COUNTS, RATE_PARTS, breakdown, by_building, community, month_bounds
from models.tickets import Rating, Ticket, TicketKind, TicketStatus

WEIGHTS = {"response_rate": 1.0}
MONTH = "2026-11"


def _mixed_month(engine: Engine, now: datetime, *, seed: int = 18, count: int = 160) -> None:
    """Tickets of every kind and state in every building (and none), some last month, some
    rated, answered and mediated, assigned to staff or to nobody."""
    rng = random.Random(seed)
    with Session(engine) as session, session.begin():
        buildings = [b.id for b in session.exec(select(Building))] + [None]
        staff = [p.id for p in session.exec(select(Person).where(Person.role == Role.staff))] + [None]
        resident = Person(name="居民", role=Role.resident, created_at=now)
        other = Person(name="邻居", role=Role.resident, created_at=now)
        session.add_all([resident, other])
        session.flush()
        start, _ = month_bounds(MONTH)
        for number in range(count):
            created = start + timedelta(hours=rng.uniform(-72, (now - start).total_seconds() / 3600))
            if number == 0:
                created = start + timedelta(minutes=30)  # 00:30 on 1 Nov in Beijing: November's
            if number == 1:
                created = start - timedelta(minutes=30)  # 23:30 on 31 Oct: October's
            kind = rng.choice(list(TicketKind))
            due = created + timedelta(hours=rng.choice([2, 24, 168, 360]))
            accepted = created + timedelta(hours=rng.uniform(0, 60)) if rng.random() < 0.6 else None
            if accepted and accepted > now:
                accepted = None
            ticket = Ticket(
                kind=kind,
                status=rng.choice(list(TicketStatus)),
                reporter_id=resident.id,
                building_id=rng.choice(buildings),
                assignee_id=rng.choice(staff),
                due_at=due,
                accepted_at=accepted,
                resident_fixed=rng.choice([None, None, True, False]),
                outcome=rng.choice(["", "resolved", "unresolved"]) if kind == TicketKind.dispute else "",
                created_at=created,
                updated_at=created,
            )
            session.add(ticket)
            session.flush()
            if rng.random() < 0.4:
                stars = rng.randint(1, 5)
                session.add(
                    Rating(
                        ticket_id=ticket.id,
                        person_id=resident.id,
                        overall=stars,
                        speed=stars,
                        service=stars,
                        created_at=now,
                    )
                )
            if kind == TicketKind.dispute:
                for who in (resident, other):
                    said = rng.choice([None, True, True, False])
                    session.add(
                        MediationAnswer(
                            ticket_id=ticket.id, person_id=who.id, asked_at=now, settled=said, answered_at=now
                        )
                    )


def _sum(rows: list, name: str) -> int:
    return sum(getattr(row, name) for row in rows)


def test_every_breakdown_adds_up_to_the_community(engine: Engine, clock: ManualClock, demo: None) -> None:
    now = clock.now()
    _mixed_month(engine, now)
    with Session(engine) as session:
        found = breakdown(session, now=now, month=MONTH)
        expected = compute(session, now=now, weights=WEIGHTS, month=MONTH)
    total = found.community
    assert total.received == expected["total"] > 50  # complaints apart, as the community's figure
    assert total.complaints == expected["complaints"]["total"] > 0
    assert total.open == expected["open"]
    assert total.rates == {name: expected[name] for name in RATE_PARTS}
    assert all(total.size(name) > 0 for name in RATE_PARTS)
    for rows in (found.buildings, found.grids, found.handlers):
        assert {name: _sum(rows, name) for name in COUNTS} == {name: getattr(total, name) for name in COUNTS}
    assert found.buildings[-1].name == "公共区域" and found.handlers[-1].name == "未派单"
    assert [b.name for b in found.buildings[:-1]] == ["1栋", "2栋", "3栋", "5栋"]
    assert [g.name for g in found.grids] == ["第一网格", "第二网格", "未划网格"]


def test_each_buildings_rates_are_the_community_functions_rates_for_that_building(
    engine: Engine, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    _mixed_month(engine, now, seed=7)
    with Session(engine) as session:
        for building in session.exec(select(Building)).all():
            only = frozenset({building.id})
            rows = by_building(session, now=now, month=MONTH, building_ids=only)
            assert [r.name for r in rows] == [f"{building.number}栋"]
            expected = compute(session, now=now, weights=WEIGHTS, month=MONTH, building_ids=only)
            assert rows[0].rates == {name: expected[name] for name in RATE_PARTS}
            assert rows[0].received == expected["total"]
            assert community(session, now=now, month=MONTH, building_ids=only).rates == rows[0].rates


def test_a_month_with_nothing_to_rate_has_no_rates(engine: Engine, clock: ManualClock, demo: None) -> None:
    now = clock.now()
    _mixed_month(engine, now)
    with Session(engine) as session:
        quiet = breakdown(session, now=now, month="2026-06")
    assert quiet.community.received == 0
    assert all(quiet.community.rate(name) is None for name in RATE_PARTS)  # not 0 %, not 100 %
    assert [b.received for b in quiet.buildings] == [0, 0, 0, 0]  # every building listed, none 「公共区域」
    assert quiet.handlers == []


def test_the_month_is_the_local_month() -> None:
    start, end = month_bounds("2026-12")
    assert start == datetime(2026, 11, 30, 16, tzinfo=UTC) and end == datetime(2026, 12, 31, 16, tzinfo=UTC)
