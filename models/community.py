"""The community's places: community, grids (网格), buildings (楼栋) and rooms (房屋)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, UniqueConstraint, bindparam, exists
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import per_transaction, read


class Community(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    hotline: str = ""
    shelter: str = ""  # 应急避难场所: where to go when a building must be left (named in emergencies)


class Grid(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str


class Building(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    number: str  # "3", "12", "B": as residents say it, Arabic digits
    group_webhook: str = ""  # WeCom group robot URL of the building's group chat
    latitude: float | None = None  # where it stands (a location message finds the nearest)
    longitude: float | None = None

    @property
    def label(self) -> str:
        return address_label(self.number, "", "")


class Room(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("building_id", "unit", "room"),)
    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    unit: str = ""  # "" when the building has no units
    room: str
    area: float = 0.0  # exclusive area (专有部分面积) in m²


def address_label(building: str, unit: str, room: str) -> str:
    """「3栋2单元502」, 「B座1201」: an address as people read it."""
    head = f"{building}栋" if building.isdigit() else f"{building}座"
    return head + (f"{unit}单元" if unit else "") + room


def room_label(building: Building, room: Room) -> str:
    return address_label(building.number, room.unit, room.room)


def default_community(session: Session) -> Community | None:
    return session.exec(select(Community).order_by(Community.id)).first()  # type: ignore[arg-type]


def rooms_at_address(*columns: Any, in_unit: bool) -> Select[Any]:
    """A select of ``columns`` for the rooms at an address as a resident gives it, with bind
    parameters ``building`` (upper case), ``room`` and, ``in_unit``, ``unit``."""
    query = (
        select(*columns)
        .select_from(Room)
        .join(Building, Room.building_id == Building.id)  # type: ignore[arg-type]
        .where(Building.number == bindparam("building"), Room.room == bindparam("room"))
    )
    return query.where(Room.unit == bindparam("unit")) if in_unit else query


_ROOM_AT = rooms_at_address(Building, Room, in_unit=False)
_ROOM_IN_UNIT = rooms_at_address(Building, Room, in_unit=True)


def find_room(session: Session, *, building: str, unit: str, room: str) -> tuple[Building, Room] | None:
    """The room matching an address as a resident gives it; the unit may be left out if unambiguous."""
    params = {"building": building.upper(), "room": room, "unit": unit}
    matches = session.exec(_ROOM_IN_UNIT if unit else _ROOM_AT, params=params).all()
    if len(matches) != 1:
        return None
    found_building, found_room = matches[0]
    return found_building, found_room


_LAYOUT = select(
    Building.number,
    exists().where(Room.building_id == Building.id, Room.unit != "").label("has_units"),
)


def units_of(session: Session, building: str) -> list[str]:
    """The units (单元) a building's rooms are in, in order; empty when its rooms have none."""
    query = (
        select(Room.unit)
        .join(Building, col(Building.id) == Room.building_id)
        .where(Building.number == building.upper(), Room.unit != "")
        .distinct()
    )
    return sorted(session.exec(query).all(), key=lambda unit: (len(unit), unit))


def building_layout(session: Session) -> dict[str, bool]:
    """Every building's number and whether its rooms are in units (单元), read once per transaction."""
    return per_transaction(
        session,
        "building_layout",
        lambda: {number: bool(units) for number, units in read(session, _LAYOUT)},
    )
