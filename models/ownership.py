"""Who owns each room, for votes: its verified owner, a recorded owner, or the developer.

Only a verified residency (``models.residency``) makes a person a room's owner here: a claim in
chat does not, so its room counts as an owner not yet known.

A room's owner identity is ``p<person id>`` for a known owner, ``developer`` for units the
developer has not sold or handed over, and ``r<room id>`` when the owner is not registered
(each such room then counts as one owner of its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

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


def rooms_in_scope(session: Session, scope: dict[str, list[str]]) -> list[tuple[Building, Room]]:
    """Rooms a proposal concerns: all, some buildings, or some units (``"3-2"``)."""
    query = select(Building, Room).join(Room, col(Room.building_id) == Building.id)
    if scope.get("buildings"):
        query = query.where(col(Building.number).in_([str(b).upper() for b in scope["buildings"]]))
    rows = list(session.exec(query.order_by(col(Building.number), col(Room.unit), col(Room.room))))
    if scope.get("units"):
        wanted = {tuple(str(u).upper().split("-", 1)) for u in scope["units"]}
        rows = [(b, r) for b, r in rows if (b.number, r.unit) in wanted]
    return rows


def units_for(session: Session, rooms: Sequence[tuple[Building, Room]]) -> list[Unit]:
    """The tally's view of ``rooms``: area and owner identity of each."""
    ids = [room.id for _, room in rooms]
    recorded = {r.room_id: r for r in session.exec(select(RoomOwner).where(col(RoomOwner.room_id).in_(ids)))}
    bound = verified_owner_rooms(session, ids)  # type: ignore[arg-type]
    return [
        Unit(
            room_id=room.id,  # type: ignore[arg-type]
            area=Fraction(str(room.area)),
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
