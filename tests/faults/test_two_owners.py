"""Finding 3: two newcomers on two processes claim the same vacant room; the room gets one owner.

Before the constraint, on PostgreSQL both became owner in 9 of 12 rooms: ``bind_room`` read
``has_owner`` and then wrote. Now a claim in chat never makes an owner by itself: both are
claims for the building head, and only a verification (one at a time) makes the owner.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.community import Building, Room
from models.people import Person
from models.residency import Residency
from tests.models.test_capacity_concurrency import _people
from tests.support.claims import claim_rooms

ROOMS = 12


def _vacant_rooms(engine: Engine, count: int) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        owned = select(Person.room_id).where(col(Person.is_owner).is_(True), col(Person.room_id).is_not(None))
        rows = session.exec(
            select(Building.number, Room.unit, Room.room)
            .join(Room, col(Room.building_id) == Building.id)
            .where(col(Room.id).not_in(owned))
            .order_by(col(Room.id))
            .limit(count)
        ).all()
    return [(str(b), str(u), str(r)) for b, u, r in rows]


def test_two_processes_never_make_two_owners(engine: Engine, demo: None, clock: ManualClock) -> None:
    rooms = _vacant_rooms(engine, ROOMS)
    assert len(rooms) == ROOMS
    people = _people(engine, 2 * ROOMS, clock.now())  # a newcomer on each side for each room
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(2, mp_context=context) as pool:
        barrier = manager.Barrier(2)
        futures = [
            pool.submit(
                claim_rooms, url, list(zip(people[side::2], rooms, strict=True)), clock.now(), barrier
            )
            for side in (0, 1)
        ]
        outcomes = [future.result(timeout=120) for future in futures]

    for index in range(ROOMS):
        # Both newcomers' claims wait for the building head; neither became the owner.
        assert sorted(run[index] for run in outcomes) == ["claimed", "claimed"], rooms[index]
    with Session(engine) as session:
        owners = session.exec(
            text("SELECT room_id, COUNT(*) FROM person WHERE is_owner GROUP BY room_id HAVING COUNT(*) > 1")
        ).all()
        claims = session.exec(select(Residency).where(col(Residency.status) == "claimed")).all()
    assert owners == []
    assert len(claims) == 2 * ROOMS
