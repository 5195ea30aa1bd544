"""Who owns each room, for votes: its verified owner, a recorded owner, or the developer.

Only a verified residency (``models.residency``) makes a person a room's owner here: a claim in
chat does not, so its room counts as an owner not yet known.

A room's owner identity is ``p<person id>`` for a known owner, ``developer`` for units the
developer has not sold or handed over, and ``r<room id>`` when the owner is not registered
(each such room then counts as one owner of its own).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, false, or_
from sqlmodel import Field, Session, SQLModel, col, select

from models.community import Building, Room
from models.people import Person
from models.residency import owned_rooms, verified_owner_rooms
from models.tally import DEVELOPER, Unit


class RoomOwner(SQLModel, table=True):
    """Recorded ownership where binding alone does not tell it (several rooms, developer-held)."""

    __tablename__ = "room_owner"  # type: ignore[assignment]
    room_id: int = Field(foreign_key="room.id", primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    developer_held: bool = False


def set_owner(
    session: Session, *, room_id: int, person_id: int | None = None, developer_held: bool = False
) -> None:
    if (person_id is None) == (not developer_held):
        raise ValueError("give either an owner (person_id) or developer_held=True")
    record = session.get(RoomOwner, room_id) or RoomOwner(room_id=room_id)
    record.person_id, record.developer_held = person_id, developer_held
    session.add(record)


def owner_key(room_id: int, *, recorded: RoomOwner | None, bound_owner_id: int | None) -> str:
    if recorded is not None and recorded.developer_held:
        return DEVELOPER
    if recorded is not None and recorded.person_id is not None:
        return f"p{recorded.person_id}"
    if bound_owner_id is not None:
        return f"p{bound_owner_id}"
    return f"r{room_id}"


def _in_scope(query: Select[Any], scope: dict[str, list[str]]) -> Select[Any]:
    """``query`` (over Room joined to Building) kept to the rooms of ``scope``, in SQL."""
    if scope.get("buildings"):
        query = query.where(col(Building.number).in_([str(b).upper() for b in scope["buildings"]]))
    if scope.get("units"):
        wanted = {tuple(str(u).upper().split("-", 1)) for u in scope["units"]}
        pairs = sorted(pair for pair in wanted if len(pair) == 2)
        query = query.where(
            or_(false(), *(and_(col(Building.number) == b, col(Room.unit) == u) for b, u in pairs))
        )
    return query


_ROOM_ORDER = (col(Building.number), col(Room.unit), col(Room.room))


def rooms_in_scope(session: Session, scope: dict[str, list[str]]) -> list[tuple[Building, Room]]:
    """Rooms a proposal concerns: all, some buildings, or some units (``"3-2"``)."""
    query = select(Building, Room).join(Room, col(Room.building_id) == Building.id)
    return list(session.exec(_in_scope(query, scope).order_by(*_ROOM_ORDER)))


def any_room_in_scope(session: Session, scope: dict[str, list[str]], room_ids: Collection[int]) -> bool:
    """Whether one of ``room_ids`` is in ``scope`` (one indexed query, no rooms loaded)."""
    if not room_ids:
        return False
    query = select(Room.id).join(Building, col(Room.building_id) == Building.id)
    query = _in_scope(query, scope).where(col(Room.id).in_(sorted(room_ids))).limit(1)
    return session.execute(query).first() is not None


def units_in_scope(
    session: Session, scope: dict[str, list[str]], *, among: Collection[int] | None = None
) -> list[Unit]:
    """The tally's view of the rooms in ``scope`` (only those of ``among`` if given), in room
    order: area and owner identity of each, read as plain rows (no ORM objects for thousands of rooms)."""
    query = select(Room.id, Room.area).join(Building, col(Room.building_id) == Building.id)
    query = _in_scope(query, scope)
    if among is not None:
        query = query.where(col(Room.id).in_(sorted(among)))
    rows = session.execute(query.order_by(*_ROOM_ORDER)).all()
    ids: Any = (
        [room_id for room_id, _ in rows]
        if among is not None
        else _in_scope(select(Room.id).join(Building, col(Room.building_id) == Building.id), scope)
    )
    owners = select(RoomOwner.room_id, RoomOwner.person_id, RoomOwner.developer_held)
    recorded = {
        room_id: RoomOwner(room_id=room_id, person_id=person_id, developer_held=held)
        for room_id, person_id, held in session.execute(owners.where(col(RoomOwner.room_id).in_(ids)))
    }
    bound = verified_owner_rooms(session, ids)
    return [
        Unit(
            room_id=room_id,
            area=_area(area),
            owner=owner_key(room_id, recorded=recorded.get(room_id), bound_owner_id=bound.get(room_id)),
        )
        for room_id, area in rows
    ]


@lru_cache(maxsize=4096)
def _area(area: float) -> Fraction:
    """A room's area as the exact decimal it was written as (areas repeat: computed once each)."""
    return Fraction(str(area))


def units_for(session: Session, rooms: Sequence[tuple[Building, Room]]) -> list[Unit]:
    """The tally's view of ``rooms``: area and owner identity of each."""
    ids = [room.id for _, room in rooms]
    recorded = {r.room_id: r for r in session.exec(select(RoomOwner).where(col(RoomOwner.room_id).in_(ids)))}
    bound = verified_owner_rooms(session, ids)  # type: ignore[arg-type]
    return [
        Unit(
            room_id=room.id,  # type: ignore[arg-type]
            area=_area(room.area),
            owner=owner_key(room.id, recorded=recorded.get(room.id), bound_owner_id=bound.get(room.id)),  # type: ignore[arg-type]
        )
        for _, room in rooms
    ]


def owned_room_ids(session: Session, person: Person) -> set[int]:
    """Every room this person owns: those verified as theirs and recorded ones."""
    rooms = {r.room_id for r in session.exec(select(RoomOwner).where(RoomOwner.person_id == person.id))}
    for room_id in owned_rooms(session, person.id):  # type: ignore[arg-type]
        recorded = session.get(RoomOwner, room_id)
        if recorded is None or (recorded.person_id in (None, person.id) and not recorded.developer_held):
            rooms.add(room_id)
    return rooms
