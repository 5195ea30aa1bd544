"""The community's places: community, grids (网格), buildings (楼栋) and rooms (房屋)."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint, bindparam, exists
from sqlmodel import Field, Session, SQLModel, select

from models.base import per_transaction, read


class Community(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    hotline: str = ""


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

    @property
    def label(self) -> str:
        return f"{self.number}栋" if self.number.isdigit() else f"{self.number}座"


class Room(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("building_id", "unit", "room"),)
    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    unit: str = ""  # "" when the building has no units
    room: str
    area: float = 0.0  # exclusive area (专有部分面积) in m²


def room_label(building: Building, room: Room) -> str:
    unit = f"{room.unit}单元" if room.unit else ""
    return f"{building.label}{unit}{room.room}"


def default_community(session: Session) -> Community | None:
    return session.exec(select(Community).order_by(Community.id)).first()  # type: ignore[arg-type]


_ROOM_AT = (
    select(Building, Room)
    .join(Room, Room.building_id == Building.id)  # type: ignore[arg-type]
    .where(Building.number == bindparam("building"), Room.room == bindparam("room"))
)
_ROOM_IN_UNIT = _ROOM_AT.where(Room.unit == bindparam("unit"))


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


def building_layout(session: Session) -> dict[str, bool]:
    """Every building's number and whether its rooms are in units (单元), read once per transaction."""
    return per_transaction(
        session,
        "building_layout",
        lambda: {number: bool(units) for number, units in read(session, _LAYOUT)},
    )
