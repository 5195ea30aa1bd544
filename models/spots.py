"""Reportable spots (码上办): buildings, unit doors, lifts, gates, bin points and other places with a
QR code of their own. Scanning one opens a report with the place filled in.

A spot's ``code`` is its natural key (from the community file, or derived: 「3-2-lift」); the QR
code carries the scene string ``spot:<code>``, so a printed poster stays valid across re-imports.
Spots and buildings may carry a latitude and longitude: a location message is matched to the
nearest of them (:func:`nearest_place`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import enum_field
from models.community import Building

SCENE_PREFIX = "spot:"
MAX_CODE = 40  # scene_str may be 64 characters; the prefix and some room to spare
NEAR_METRES = 300.0  # a location farther than this from every known place names none


class SpotKind(StrEnum):
    building = "building"
    unit = "unit"
    lift = "lift"
    gate = "gate"
    bin = "bin"
    other = "other"


KIND_LABEL = {
    SpotKind.building: "楼栋",
    SpotKind.unit: "单元门",
    SpotKind.lift: "电梯",
    SpotKind.gate: "大门",
    SpotKind.bin: "垃圾分类点",
    SpotKind.other: "公共区域",
}
# The repair category a report from this kind of spot is about, when it can only be one.
KIND_CATEGORY = {SpotKind.lift: "电梯"}


class Spot(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("code"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    code: str = Field(max_length=MAX_CODE)
    kind: SpotKind = enum_field(SpotKind, SpotKind.other)
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    unit: str = ""
    name: str = Field(default="", max_length=60)  # 「3栋2单元电梯」「小区东门」
    latitude: float | None = None
    longitude: float | None = None

    @property
    def scene(self) -> str:
        return SCENE_PREFIX + self.code

    @property
    def spot_words(self) -> str:
        """The spot inside its building (「2单元电梯」), as ``Ticket.spot`` keeps it; the whole name
        when it is not in a building."""
        return (
            self.name.split("栋", 1)[-1] if self.building_id is not None and "栋" in self.name else self.name
        )


def default_code(kind: SpotKind, building: str, unit: str) -> str:
    """「3-2-lift」, 「3-2-unit」, 「3-building」: the code of a spot named by building and unit."""
    parts = [p for p in (building, unit) if p]
    return "-".join([*parts, kind.value]).lower()


def default_name(kind: SpotKind, building: str, unit: str) -> str:
    """「3栋2单元电梯」, 「3栋2单元单元门」→「3栋2单元门」, 「3栋」."""
    head = (f"{building}栋" if building.isdigit() else f"{building}座") if building else ""
    head += f"{unit}单元" if unit else ""
    if kind == SpotKind.building:
        return head
    if kind == SpotKind.unit:
        return head + "门" if unit else head + "单元门"
    return head + KIND_LABEL[kind]


def spot_by_scene(session: Session, scene: str) -> Spot | None:
    """The spot a QR code's scene string names (``spot:3-2-lift``; ``qrscene_`` already removed)."""
    if not scene.startswith(SCENE_PREFIX):
        return None
    code = scene[len(SCENE_PREFIX) :].strip().lower()
    return session.exec(select(Spot).where(Spot.code == code)).first() if code else None


def list_spots(session: Session, *, building: str | None = None, kind: str | None = None) -> list[Spot]:
    query = select(Spot).order_by(col(Spot.id))
    if building:
        query = query.join(Building, col(Spot.building_id) == col(Building.id)).where(
            Building.number == building.upper()
        )
    if kind:
        query = query.where(Spot.kind == kind)
    return list(session.exec(query))


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Place:
    """A report's place as the repair form keeps it (see ``handlers.repair``)."""

    building_id: int | None
    spot: str
    label: str
    spot_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None

    def as_slot(self) -> dict[str, Any]:
        return {
            "building_id": self.building_id,
            "room_id": None,
            "spot": self.spot,
            "label": self.label,
            "spot_id": self.spot_id,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


def place_of(session: Session, spot: Spot) -> Place:
    return Place(
        building_id=spot.building_id,
        spot=spot.spot_words,
        label=spot.name,
        spot_id=spot.id,
        latitude=spot.latitude,
        longitude=spot.longitude,
    )


def nearest_place(
    session: Session, *, latitude: float, longitude: float, within: float = NEAR_METRES
) -> Place | None:
    """The known spot or building nearest to a location, if one is within ``within`` metres.
    The place keeps the location itself (where the resident was), not the spot's."""
    best: tuple[float, Place] | None = None
    for spot in session.exec(select(Spot).where(col(Spot.latitude).is_not(None))):
        d = distance_metres(latitude, longitude, spot.latitude, spot.longitude)  # type: ignore[arg-type]
        if best is None or d < best[0]:
            best = (d, place_of(session, spot))
    for building in session.exec(select(Building).where(col(Building.latitude).is_not(None))):
        d = distance_metres(latitude, longitude, building.latitude, building.longitude)  # type: ignore[arg-type]
        if best is None or d < best[0]:
            best = (d, Place(building_id=building.id, spot="公共区域", label=building.label + "附近"))
    if best is None or best[0] > within:
        return None
    found = best[1]
    return Place(
        building_id=found.building_id,
        spot=found.spot,
        label=found.label,
        spot_id=found.spot_id,
        latitude=latitude,
        longitude=longitude,
    )
