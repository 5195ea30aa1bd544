"""Helpers shared by the models: what is read once per transaction."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from models.community import Building, building_layout


def test_the_building_layout_is_read_once_per_transaction(engine: Engine, demo: None) -> None:
    with Session(engine) as session:
        with session.begin():
            layout = building_layout(session)
            assert layout["3"] is True  # rooms in units
            community_id = session.get(Building, 1).community_id  # type: ignore[union-attr]
        with Session(engine) as other, other.begin():
            other.add(Building(community_id=community_id, number="7"))
        with session.begin():
            assert building_layout(session) is not layout  # a new transaction reads afresh
            assert building_layout(session)["7"] is False  # no rooms, so no units
            assert building_layout(session) is building_layout(session)
