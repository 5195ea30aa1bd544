"""Newcomers claim one vacant room at the same moment: claims all, and only one is ever verified as its owner."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.actors import Someone
from models.binding import bind_room
from models.community import Building, Room
from models.people import Person
from models.residency import Residency, ResidencyError
from models.residency_decisions import decide
from tests.models.test_capacity_concurrency import _people, _race


def _vacant_room(engine: Engine) -> tuple[str, str, str]:
    with Session(engine) as session:
        owned = select(Person.room_id).where(col(Person.is_owner).is_(True), col(Person.room_id).is_not(None))
        building, room = session.exec(
            select(Building, Room)
            .join(Room, col(Room.building_id) == Building.id)
            .where(col(Room.id).not_in(owned))
            .order_by(col(Room.id))
        ).first()  # type: ignore[misc]
        return building.number, room.unit, room.room


def test_twelve_claims_make_no_owner_until_one_is_verified(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    building, unit, room = _vacant_room(engine)
    ids = _people(engine, 12, clock.now())

    def claim(session: Session, index: int) -> str:
        person = session.get(Person, ids[index])
        assert person is not None
        return bind_room(
            session, person=person, building=building, unit=unit, room=room, now=clock.now()
        ).outcome

    outcomes = _race(engine, 12, claim)
    assert outcomes.count("claimed") == 12  # each a claim for the building head to verify
    with Session(engine) as session:
        assert not session.exec(
            select(Person).where(col(Person.is_owner).is_(True), Person.id.in_(ids))
        ).all()  # type: ignore[union-attr]
        claims = session.exec(
            select(Residency.id).where(col(Residency.person_id).in_(ids)).order_by(col(Residency.id))
        ).all()
    assert len(claims) == 12
    with Session(engine) as session, session.begin():
        decide(
            session,
            residency_id=claims[0],
            approve=True,
            by="楼栋长",
            actor=Someone(tag="test", label="测试"),
            now=clock.now(),
        )
    with pytest.raises(ResidencyError), Session(engine) as session, session.begin():
        decide(
            session,
            residency_id=claims[1],
            approve=True,
            by="楼栋长",
            actor=Someone(tag="test", label="测试"),
            now=clock.now(),
        )
    with Session(engine) as session:
        owners = session.exec(select(Person).where(col(Person.is_owner).is_(True), Person.id.in_(ids))).all()  # type: ignore[union-attr]
    assert len(owners) == 1


def test_the_database_refuses_a_second_owner(engine: Engine, demo: None, clock: ManualClock) -> None:
    ids = _people(engine, 2, clock.now())
    with Session(engine) as session:
        room_id = session.exec(select(Room.id).order_by(col(Room.id))).first()
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        for person_id in ids:
            person = session.get(Person, person_id)
            assert person is not None
            person.room_id, person.is_owner = room_id, True
            session.add(person)
            session.flush()


def test_an_import_with_two_owners_for_one_room_is_refused_with_both_named() -> None:
    from datetime import UTC, datetime

    from models.onboarding import validate

    data = {
        "community": {"name": "x"},
        "buildings": [{"number": "1"}],
        "rooms": [{"building": "1", "unit": "1", "room": "101", "area": 80}],
        "people": [
            {"openid": "a", "name": "甲", "role": "resident", "building": "1", "unit": "1", "room": "101"},
            {"openid": "b", "name": "乙", "role": "resident", "building": "1", "unit": "1", "room": "101"},
            {
                "openid": "c",
                "name": "丙",
                "role": "resident",
                "building": "1",
                "unit": "1",
                "room": "101",
                "owner": False,
            },
        ],
    }
    problems = validate(data, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert any("乙" in p and "甲" in p and "一套房只能有一位业主" in p for p in problems), problems
    assert not any("丙" in p for p in problems)
