"""Who a notice is for: everyone, some buildings, some grids, or some units ("3-2" = 3栋2单元).

An audience resolves to building group chats (everyone, buildings, grids; a unit audience
reaches its residents only, since a building's group holds every unit) and to residents
(people bound to a room in it who still follow the account).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, or_
from sqlmodel import Session, col, select

from models.community import Building, Grid, Room
from models.people import Person

KINDS = ("all", "buildings", "grids", "units")


class AudienceError(ValueError):
    """The audience names nothing, several kinds at once, or places that do not exist."""


@dataclass(frozen=True)
class Audience:
    kind: str  # all | buildings | grids | units
    values: tuple[str, ...] = ()  # building numbers, grid names, or "building-unit"

    def as_json(self) -> dict[str, Any]:
        return {"all": True} if self.kind == "all" else {self.kind: list(self.values)}

    @property
    def units(self) -> list[tuple[str, str]]:
        return [tuple(v.split("-", 1)) for v in self.values]  # type: ignore[misc]

    def label(self) -> str:
        """How the audience is named to people: 全体居民, 3栋、5栋, 第二网格, 3栋2单元."""
        if self.kind == "all":
            return "全体居民"
        if self.kind == "buildings":
            return "、".join(f"{v}栋" for v in self.values)
        if self.kind == "units":
            return "、".join(f"{b}栋{u}单元" for b, u in self.units)
        return "、".join(self.values)

    def reaches(self, *, building: str | None, unit: str | None, grid: str | None) -> bool:
        """Whether someone living in ``building``/``unit`` (in ``grid``) is in this audience."""
        if self.kind == "all":
            return True
        if self.kind == "buildings":
            return building in self.values
        if self.kind == "grids":
            return grid in self.values
        return f"{building}-{unit}" in self.values


def audience_from_json(stored: Mapping[str, Any]) -> Audience:
    """A stored (already validated) audience."""
    if stored.get("all"):
        return Audience("all")
    kind = next(k for k in KINDS[1:] if k in stored)
    return Audience(kind, tuple(str(v) for v in stored[kind]))


def parse_audience(session: Session, raw: Any) -> Audience:
    """Validate an audience as an admin gives it; raise :class:`AudienceError` saying what is wrong."""
    if not isinstance(raw, Mapping) or not raw:
        raise AudienceError(
            'audience must be an object: {"all": true} or {"buildings"|"grids"|"units": [...]}'
        )
    unknown_keys = sorted(set(raw) - set(KINDS))
    if unknown_keys:
        raise AudienceError(
            f"unknown audience key(s): {', '.join(unknown_keys)}; use one of {', '.join(KINDS)}"
        )
    given = [k for k in KINDS if k in raw]
    if len(given) > 1:
        raise AudienceError(
            f"audience must have exactly one of all, buildings, grids, units; got {', '.join(given)}"
        )
    kind = given[0]
    if kind == "all":
        if raw["all"] is not True:
            raise AudienceError(
                "audience.all must be true; to reach fewer people list buildings, grids or units"
            )
        return Audience("all")
    values = raw[kind]
    if not isinstance(values, list) or any(
        not isinstance(v, str | int) or isinstance(v, bool) for v in values
    ):
        raise AudienceError(f"audience.{kind} must be a list of strings")
    if not values:
        raise AudienceError(f'audience.{kind} is empty; name at least one, or use {{"all": true}}')
    names = list(dict.fromkeys(str(v).strip().upper() if kind != "grids" else str(v).strip() for v in values))
    if kind == "buildings":
        known = set(session.exec(select(Building.number)).all())
        missing = [n for n in names if n not in known]
        if missing:
            raise AudienceError(
                f"unknown building(s): {', '.join(missing)}; known: {', '.join(sorted(known))}"
            )
    elif kind == "grids":
        known = set(session.exec(select(Grid.name)).all())
        missing = [n for n in names if n not in known]
        if missing:
            raise AudienceError(f"unknown grid(s): {', '.join(missing)}; known: {', '.join(sorted(known))}")
    else:
        known_units = {
            f"{number}-{unit}"
            for number, unit in session.exec(
                select(Building.number, Room.unit).join(Room, col(Room.building_id) == Building.id).distinct()
            ).all()
        }
        bad = [n for n in names if n.count("-") != 1]
        if bad:
            raise AudienceError(f'unit(s) must look like "3-2" (building-unit): {", ".join(bad)}')
        missing = [n for n in names if n not in known_units]
        if missing:
            raise AudienceError(f"unknown unit(s): {', '.join(missing)}")
    return Audience(kind, tuple(names))


def building_ids(session: Session, audience: Audience) -> list[int]:
    """The buildings whose group chats get the notice (none for a unit audience)."""
    query = select(Building.id).order_by(col(Building.id))
    if audience.kind == "units":
        return []
    if audience.kind == "buildings":
        query = query.where(col(Building.number).in_(audience.values))
    elif audience.kind == "grids":
        query = query.join(Grid, col(Building.grid_id) == Grid.id).where(col(Grid.name).in_(audience.values))
    return [i for i in session.exec(query).all() if i is not None]


def resident_ids(session: Session, audience: Audience, *, skip_muted: str | None = None) -> list[int]:
    """People bound to a room in the audience who still follow us, minus those muting ``skip_muted``."""
    query = residents_query(audience, skip_muted=skip_muted)
    return [i for i in session.exec(query).all() if i is not None]


def residents_query(audience: Audience, *, skip_muted: str | None = None) -> Select[Any]:
    """The select of :func:`resident_ids` (person ids, in id order), to count or insert from."""
    from models.notices import NoticeMute  # notices imports this module

    query = (
        select(Person.id)
        .join(Room, col(Person.room_id) == Room.id)
        .where(col(Person.subscribed).is_(True))
        .order_by(col(Person.id))
    )
    if audience.kind != "all":
        query = query.join(Building, col(Room.building_id) == Building.id)
    if audience.kind == "buildings":
        query = query.where(col(Building.number).in_(audience.values))
    elif audience.kind == "grids":
        query = query.join(Grid, col(Building.grid_id) == Grid.id).where(col(Grid.name).in_(audience.values))
    elif audience.kind == "units":
        query = query.where(or_(*(and_(Building.number == b, Room.unit == u) for b, u in audience.units)))
    if skip_muted:
        muted = exists().where(NoticeMute.person_id == Person.id, NoticeMute.category == skip_muted)
        query = query.where(~muted)
    return query  # type: ignore[return-value]
