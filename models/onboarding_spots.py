"""The ``[[spots]]`` of the community import (码上办 QR codes), and the buildings' locations.

    [[spots]]
    kind = "lift"        # building | unit | lift | gate | bin | other
    building = "3"       # with unit: the lift / unit door of 3栋2单元
    unit = "2"
    # code = "3-2-lift"  # the QR code's scene is "spot:<code>"; derived from building/unit/kind
    # name = "3栋2单元电梯" # derived likewise; gates, bin points and others need code and name
    lat = 37.8612        # optional: a location message finds the nearest spot
    lon = 112.5489

Natural key: the code. Re-importing updates name, place and location; a printed QR code stays
valid because its scene is the code, not the row's id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from models.community import Building
from models.spots import MAX_CODE, Spot, SpotKind, default_code, default_name

_CODE = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{MAX_CODE - 1}}}")
_NAMED_BY_PLACE = (SpotKind.building, SpotKind.unit, SpotKind.lift)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _coordinate(value: Any, limit: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and -limit <= value <= limit


def _location_problems(where: str, entry: dict[str, Any]) -> list[str]:
    lat, lon = entry.get("lat"), entry.get("lon")
    if lat is None and lon is None:
        return []
    if not (_coordinate(lat, 90) and _coordinate(lon, 180)):
        return [f"{where} 的 lat/lon 要成对填写，纬度 -90 到 90、经度 -180 到 180：{lat!r}, {lon!r}"]
    return []


def spot_fields(entry: dict[str, Any]) -> tuple[str, SpotKind, str, str, str]:
    """(code, kind, building number, unit, name) of one ``[[spots]]`` entry, defaults filled."""
    kind = SpotKind(_text(entry.get("kind")) or "other")
    building, unit = _text(entry.get("building")).upper(), _text(entry.get("unit"))
    code = _text(entry.get("code")).lower() or (
        default_code(kind, building, unit) if kind in _NAMED_BY_PLACE and building else ""
    )
    name = _text(entry.get("name")) or (default_name(kind, building, unit) if building else "")
    return code, kind, building, unit, name


def validate_spots(data: dict[str, Any], buildings: set[str]) -> list[str]:
    problems: list[str] = []
    for i, entry in enumerate(data.get("buildings", [])):
        problems += _location_problems(f"buildings[{i}]", entry)
    codes: set[str] = set()
    for i, entry in enumerate(data.get("spots", [])):
        where = f"spots[{i}]"
        if _text(entry.get("kind") or "other") not in SpotKind.__members__:
            problems.append(f"{where} 的 kind 无效：{entry.get('kind')!r}（可选 {', '.join(SpotKind)}）")
            continue
        code, _kind, building, _unit, name = spot_fields(entry)
        if building and building not in buildings:
            problems.append(f"{where} 的楼栋 {building} 未定义")
        if not code or not _CODE.fullmatch(code):
            problems.append(
                f"{where} 需要 code（小写字母、数字、- 或 _，不超过 {MAX_CODE} 个字符），"
                "或填写 building 由它生成"
            )
        elif code in codes:
            problems.append(f"{where} 的 code 重复：{code}")
        codes.add(code)
        if not name:
            problems.append(f"{where} 缺少 name（例如「小区东门」）")
        problems += _location_problems(where, entry)
    return problems


def import_spots(
    session: Session,
    *,
    data: dict[str, Any],
    community_id: int,
    buildings: dict[str, Building],
    count: Callable[[str, bool], None],
) -> None:
    """Upsert the spots by code and set the buildings' locations (validated already)."""
    for entry in data.get("buildings", []):
        if entry.get("lat") is not None:
            building = buildings[_text(entry["number"]).upper()]
            building.latitude, building.longitude = float(entry["lat"]), float(entry["lon"])
            session.add(building)
    for entry in data.get("spots", []):
        code, kind, number, unit, name = spot_fields(entry)
        spot = session.exec(select(Spot).where(Spot.code == code)).first()
        count("spot", spot is None)
        spot = spot or Spot(community_id=community_id, code=code)
        spot.community_id, spot.kind, spot.unit, spot.name = community_id, kind, unit, name
        spot.building_id = buildings[number].id if number else None
        lat, lon = entry.get("lat"), entry.get("lon")
        spot.latitude = float(lat) if lat is not None else None
        spot.longitude = float(lon) if lon is not None else None
        session.add(spot)
    session.flush()
