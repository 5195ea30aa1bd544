"""A session scoped to one community reads and changes only that community's places and tickets,
whatever query it runs; every table is either scoped or listed as not yet scoped."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, update
from sqlmodel import Session, SQLModel

import models  # noqa: F401
from bench.district_data import NOW, Shape, generate
from models.community import Building, Grid, Room
from models.sla import TicketRules
from models.stats import headline
from models.tenancy import NOT_YET, SCOPED, scope_to
from models.tickets import Ticket

WEIGHTS = TicketRules().metric_weights


def test_a_scoped_session_never_crosses_into_another_community(engine: Engine) -> None:
    generate(engine, Shape.at(0.01))  # communities 1 and 2
    with Session(engine) as session:
        theirs = (
            session.execute(
                select(Ticket.id)
                .join(Building, Building.id == Ticket.building_id)
                .where(Building.community_id == 2)
            )
            .scalars()
            .first()
        )
        expected = headline(session, now=NOW, weights=WEIGHTS, community_id=1)
    with Session(engine) as session, session.begin():
        scope_to(session, 1)
        assert session.get(Ticket, theirs) is None
        assert {b.community_id for b in session.exec(select(Building)).scalars()} == {1}
        assert {g.community_id for g in session.exec(select(Grid)).scalars()} == {1}
        rooms = session.execute(select(func.count()).select_from(Room)).scalar_one()
        assert rooms == 2_500
        joined = session.execute(
            select(func.count()).select_from(Ticket).join(Building, Building.id == Ticket.building_id)
        ).scalar_one()
        assert joined == expected["total"] + expected["complaints"]["total"]
        # The figures of an unscoped call are this community's: the scope is not the caller's to remember.
        assert headline(session, now=NOW, weights=WEIGHTS) == expected
        changed = session.execute(update(Ticket).where(Ticket.id == theirs).values(urge_count=9))
        assert changed.rowcount == 0  # type: ignore[attr-defined]


def test_every_table_is_scoped_or_listed_as_not_yet() -> None:
    listed = [name for names in NOT_YET.values() for name in names]
    assert len(listed) == len(set(listed)) and not set(listed) & set(SCOPED)
    assert {t.name for t in SQLModel.metadata.sorted_tables} == set(SCOPED) | set(listed)
