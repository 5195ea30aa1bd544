"""Community import (``hgj import community.toml``): validate everything, then upsert idempotently.

Natural keys: community by name, grid by name, building by number, room by (building, unit,
room), person by openid (else WeCom userid). Re-importing the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.community import Building, Community, Grid, Room, address_label
from models.ledger_accounts import seeds_from, upsert_accounts
from models.onboarding_care import import_care, validate_care
from models.onboarding_party import import_party, validate_party
from models.onboarding_spots import import_spots, validate_spots
from models.onboarding_volunteers import import_volunteering, validate_volunteering
from models.people import Person, Role
from models.residency import Relationship, ResidencyError, home_residency, record_verified, unbind

MAX_AREA = 10_000  # square metres: as the roster CSV's 面积 (models/residents.py)


class ImportError_(ValueError):
    """The file has problems; ``problems`` lists each with where it is."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def validate(data: dict[str, Any], *, now: datetime) -> list[str]:
    """Every problem of the file, each naming its section and entry (relative times resolve at ``now``)."""
    problems: list[str] = []
    community = data.get("community")
    if not isinstance(community, dict) or not _text(community.get("name")):
        problems.append("[community] 缺少 name")
    grid_names = {_text(g.get("name")) for g in data.get("grids", [])}
    buildings = {_text(b.get("number")).upper() for b in data.get("buildings", [])}
    for i, grid in enumerate(data.get("grids", [])):
        if not _text(grid.get("name")):
            problems.append(f"grids[{i}] 缺少 name")
        for number in grid.get("buildings", []):
            if _text(number).upper() not in buildings:
                problems.append(f"grids[{i}] 引用了未定义的楼栋 {number}")
    for i, building in enumerate(data.get("buildings", [])):
        if not _text(building.get("number")):
            problems.append(f"buildings[{i}] 缺少 number")
    rooms = set()
    for i, room in enumerate(data.get("rooms", [])):
        key = (_text(room.get("building")).upper(), _text(room.get("unit")), _text(room.get("room")))
        if key[0] not in buildings:
            problems.append(f"rooms[{i}] 的楼栋 {key[0] or '(空)'} 未定义")
        if not key[2]:
            problems.append(f"rooms[{i}] 缺少 room")
        area = room.get("area", 0)
        if isinstance(area, bool) or not isinstance(area, int | float) or not 0 <= area < MAX_AREA:
            problems.append(f"rooms[{i}] 的 area 不是有效面积（0 到 {MAX_AREA} 平方米）：{area!r}")
        rooms.add(key)
    seen: set[str] = set()
    owners: dict[tuple[str, str, str], str] = {}
    for i, person in enumerate(data.get("people", [])):
        where = f"people[{i}]（{_text(person.get('name')) or '无名'}）"
        ident = _text(person.get("openid")) or _text(person.get("wecom_userid"))
        if not ident:
            problems.append(f"{where} 需要 openid 或 wecom_userid")
        elif ident in seen:
            problems.append(f"{where} 的 openid/wecom_userid 重复：{ident}")
        seen.add(ident)
        if _text(person.get("role")) not in Role.__members__:
            problems.append(f"{where} 的 role 无效：{person.get('role')!r}（可选 {', '.join(Role)}）")
        if person.get("room") is not None:
            key = (
                _text(person.get("building")).upper(),
                _text(person.get("unit")),
                _text(person.get("room")),
            )
            said = _text(person.get("relationship"))
            if said and said not in Relationship.__members__:
                problems.append(f"{where} 的 relationship 无效：{said!r}（可选 owner, member, tenant）")
            elif key not in rooms:
                problems.append(f"{where} 的房屋 {'-'.join(k for k in key if k)} 不在 [[rooms]] 中")
            elif _relationship(person) == Relationship.owner and key in owners:
                problems.append(
                    f"{where} 和 {owners[key]} 都登记为 {'-'.join(k for k in key if k)} 的业主："
                    "一套房只能有一位业主，家庭成员或租户请写 owner = false"
                )
            elif _relationship(person) == Relationship.owner:
                owners[key] = where
        elif person.get("building") is not None and _text(person.get("building")).upper() not in buildings:
            problems.append(f"{where} 的楼栋 {person.get('building')} 未定义")
        if person.get("grid") is not None and _text(person.get("grid")) not in grid_names:
            problems.append(f"{where} 的网格 {person.get('grid')} 未定义")
    problems += seeds_from(data)[1]
    problems += validate_spots(data, buildings)
    idents = {_text(p.get("openid")) or _text(p.get("wecom_userid")) for p in data.get("people", [])}
    idents |= {_text(p.get("wecom_userid")) for p in data.get("people", []) if p.get("wecom_userid")}
    problems += validate_party(data, idents, buildings)
    openids = {_text(p.get("openid")) for p in data.get("people", []) if p.get("openid")}
    problems += validate_care(data, rooms, openids, now=now)
    problems += validate_volunteering(
        data, {_text(p.get("openid")) for p in data.get("people", [])}, buildings, now=now
    )
    return problems


def import_community(session: Session, *, data: dict[str, Any], now: datetime) -> ImportReport:
    """Load a community description; all-or-nothing (raises ImportError_ before writing anything)."""
    problems = validate(data, now=now)
    if problems:
        raise ImportError_(problems)
    report = ImportReport()
    info = data["community"]
    community = session.exec(select(Community).where(Community.name == _text(info["name"]))).first()
    report.count("community", community is None)
    community = community or Community(name=_text(info["name"]))
    community.hotline = _text(info.get("hotline"))
    community.shelter = _text(info.get("shelter"))
    session.add(community)
    session.flush()
    cid = community.id
    assert cid is not None

    grids: dict[str, Grid] = {}
    for entry in data.get("grids", []):
        name = _text(entry["name"])
        grid = session.exec(select(Grid).where(Grid.community_id == cid, Grid.name == name)).first()
        report.count("grid", grid is None)
        grid = grid or Grid(community_id=cid, name=name)
        session.add(grid)
        grids[name] = grid
    session.flush()
    grid_of = {
        _text(n).upper(): grids[_text(g["name"])] for g in data.get("grids", []) for n in g["buildings"]
    }

    buildings: dict[str, Building] = {}
    for entry in data.get("buildings", []):
        number = _text(entry["number"]).upper()
        building = session.exec(
            select(Building).where(Building.community_id == cid, Building.number == number)
        ).first()
        report.count("building", building is None)
        building = building or Building(community_id=cid, number=number)
        building.group_webhook = _text(entry.get("group_webhook"))
        building.grid_id = grid_of[number].id if number in grid_of else None
        session.add(building)
        buildings[number] = building
    session.flush()
    import_spots(session, data=data, community_id=cid, buildings=buildings, count=report.count)

    rooms: dict[tuple[str, str, str], Room] = {}
    for entry in data.get("rooms", []):
        number, unit, name = (
            _text(entry["building"]).upper(),
            _text(entry.get("unit")),
            _text(entry["room"]),
        )
        building = buildings[number]
        room = session.exec(
            select(Room).where(Room.building_id == building.id, Room.unit == unit, Room.room == name)
        ).first()
        report.count("room", room is None)
        room = room or Room(building_id=building.id, unit=unit, room=name)  # type: ignore[arg-type]
        room.area = float(entry.get("area", 0))
        session.add(room)
        rooms[(number, unit, name)] = room
    session.flush()

    for entry in data.get("people", []):
        _upsert_person(
            session, entry=entry, buildings=buildings, rooms=rooms, grids=grids, now=now, report=report
        )
    session.flush()
    import_volunteering(session, data=data, now=now, count=report.count)
    import_party(session, data=data, community_id=cid, now=now, count=report.count)
    import_care(session, data=data, now=now, count=report.count)
    seeds = seeds_from(data)[0]
    if seeds:
        created = upsert_accounts(session, seeds)
        for bucket, n in ((report.created, created), (report.updated, len(seeds) - created)):
            if n:
                bucket["ledger_account"] = n
    return report


def _refuse_second_owner(session: Session, *, person: Person, room: Room, openid: str, label: str) -> None:
    """Someone else is already the owner of this room (bound through chat, say): say so, write nothing."""
    query = select(Person).where(Person.room_id == room.id, col(Person.is_owner).is_(True))
    other = next((p for p in session.exec(query) if p.id != person.id), None)
    if other is not None:
        who = other.name or other.openid or f"#{other.id}"
        raise ImportError_(
            [f"{openid} 登记为 {label} 的业主，但 {who} 已是这套房的业主：请先在后台处理，或写 owner = false"]
        )


def _relationship(entry: dict[str, Any]) -> Relationship:
    """``relationship = "tenant"``, else ``owner = false`` (a household member), else the owner."""
    said = _text(entry.get("relationship"))
    if said:
        return Relationship(said)
    return Relationship.owner if entry.get("owner", True) else Relationship.member


def _verify_home(
    session: Session, *, person: Person, room: Room, relationship: Relationship, label: str, now: datetime
) -> None:
    """The office's own file vouches for the home: a verified residency (via import)."""
    if person.id is None:
        session.add(person)
        session.flush()
    old = home_residency(session, person)
    if old is not None and old.room_id != room.id:
        unbind(session, residency=old, by="导入", now=now)
    person.room_id = room.id
    try:
        record_verified(
            session,
            person=person,
            room_id=room.id,  # type: ignore[arg-type]
            relationship=relationship,
            via="import",
            by="物业导入",
            tag="import",
            now=now,
        )
    except ResidencyError as exc:
        raise ImportError_([f"{person.openid or person.wecom_userid} 登记为 {label} 的业主：{exc}"]) from exc


def _upsert_person(
    session: Session,
    *,
    entry: dict[str, Any],
    buildings: dict[str, Building],
    rooms: dict[tuple[str, str, str], Room],
    grids: dict[str, Grid],
    now: datetime,
    report: ImportReport,
) -> None:
    openid, wecom = _text(entry.get("openid")) or None, _text(entry.get("wecom_userid")) or None
    query = (
        select(Person).where(Person.openid == openid)
        if openid
        else select(Person).where(Person.wecom_userid == wecom)
    )
    person = session.exec(query).first()
    report.count("person", person is None)
    person = person or Person(openid=openid, created_at=now)
    person.wecom_userid = wecom
    person.name = _text(entry.get("name"))
    person.role = Role(_text(entry["role"]))
    person.phone = _text(entry.get("phone"))
    person.skills = [str(s) for s in entry.get("skills", [])]
    number = _text(entry.get("building")).upper()
    if entry.get("room") is not None:
        room = rooms[(number, _text(entry.get("unit")), _text(entry.get("room")))]
        label = address_label(number, _text(entry.get("unit")), _text(entry.get("room")))
        relationship = _relationship(entry)
        if relationship == Relationship.owner:
            _refuse_second_owner(session, person=person, room=room, openid=openid or wecom or "", label=label)
        _verify_home(session, person=person, room=room, relationship=relationship, label=label, now=now)
    person.building_id = buildings[number].id if number in buildings else None
    person.grid_id = grids[_text(entry["grid"])].id if entry.get("grid") is not None else None
    session.add(person)
