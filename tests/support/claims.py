"""A process of its own that claims rooms for one newcomer (the two-owner fault test's other side)."""

from __future__ import annotations

from datetime import datetime
from multiprocessing.synchronize import Barrier

from sqlmodel import Session

from bot.db import create_db_engine, write_gate
from models.binding import bind_room
from models.people import Person


def claim_rooms(
    url: str, claims: list[tuple[int, tuple[str, str, str]]], now: datetime, barrier: Barrier
) -> list[str]:
    """Each (newcomer, room) claim in turn, meeting the other process at ``barrier`` before each."""
    engine = create_db_engine(url)
    outcomes: list[str] = []
    try:
        for person_id, (building, unit, room) in claims:
            barrier.wait(timeout=60)
            with write_gate(engine), Session(engine) as session, session.begin():
                person = session.get(Person, person_id)
                assert person is not None
                result = bind_room(session, person=person, building=building, unit=unit, room=room, now=now)
                outcomes.append(result.outcome)
    finally:
        engine.dispose()
    return outcomes
