"""The room register from a CSV (楼栋,单元,房号,面积,姓名,电话[,关系]): rooms with their area and who lives there.

With the optional column 关系 (业主 / 家庭成员 / 租户, as the office's 不动产 records and leases say)
it is also the owners' register: a resident's claim in chat whose name, phone and flat match a
line is verified by it (``models.residency``).

The import is all-or-nothing: every line is checked first, and a report names each bad line;
nothing is written unless the whole file is good. Re-importing the same file changes nothing.
Registered householders are a roster for the office, not WeChat accounts: residents still bind
their room themselves in chat.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import UniqueConstraint, bindparam, insert, update
from sqlmodel import Field, Session, SQLModel, col, select
from sqlmodel.sql.expression import Select

from models.base import utc_field
from models.community import Building, Room
from models.csvfile import readable

COLUMNS = ("楼栋", "单元", "房号", "面积", "姓名", "电话")
PHONE = re.compile(r"^(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8}|[0-9]{7,8})$")
MAX_CHARS = {"楼栋": 20, "单元": 20, "房号": 20, "面积": 20, "姓名": 40, "电话": 20}  # 姓名: its column
RELATIONSHIP = "关系"  # the optional seventh column
RELATIONSHIPS = {"": "", "业主": "owner", "家庭成员": "member", "家属": "member", "租户": "tenant"}


class Householder(SQLModel, table=True):
    """A person registered as living in a room (from the office's roster)."""

    __table_args__ = (UniqueConstraint("room_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(foreign_key="room.id", index=True)
    name: str = Field(max_length=40)
    phone: str = Field(default="", max_length=20)
    relationship: str = Field(default="", max_length=10)  # owner | member | tenant | "" (not stated)
    updated_at: datetime = utc_field()


_ROOMS = Room.__table__  # type: ignore[attr-defined]
_HOLDERS = Householder.__table__  # type: ignore[attr-defined]


class RosterError(ValueError):
    """The CSV has problems; ``problems`` names each bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class RosterReport:
    lines: int = 0
    rooms_created: int = 0
    rooms_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    unchanged: int = 0

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class RosterRow:
    """One checked line of the roster."""

    line: int
    building: str
    unit: str
    room: str
    area: float
    name: str
    phone: str
    relationship: str = ""


@dataclass
class _Parsed:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _parse(session: Session, text: str) -> _Parsed:
    parsed = _Parsed()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = readable(reader, reader, parsed.problems)
    header = [h.strip() for h in next(rows, [])]
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        parsed.problems.append(f"第1行（表头）应为 {','.join(COLUMNS)}，实际是 {','.join(header) or '(空)'}")
        return parsed
    with_relationship = len(header) > len(COLUMNS) and header[len(COLUMNS)] == RELATIONSHIP
    buildings = {b.number for b in session.exec(select(Building))}
    seen: dict[tuple[str, str, str], tuple[int, float]] = {}
    for cells in rows:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells] + [""] * (len(COLUMNS) + 1 - len(cells))
        too_long = [
            f"「{column}」超过 {most} 字"
            for column, most, cell in zip(COLUMNS, MAX_CHARS.values(), cells, strict=False)
            if len(cell) > most
        ]
        if too_long:
            parsed.problems.append(f"第{line}行：" + "；".join(too_long))
            continue
        building, unit, room, area_text, name, phone = cells[: len(COLUMNS)]
        building = building.removesuffix("栋").removesuffix("号楼").upper()
        unit = unit.removesuffix("单元")
        where = f"第{line}行"
        bad: list[str] = []
        if building not in buildings:
            bad.append(f"楼栋「{building or '(空)'}」不存在")
        if not room:
            bad.append("缺少房号")
        try:
            area = float(area_text)
            if not 0 < area < 10000:
                raise ValueError
        except ValueError:
            bad.append(f"面积「{area_text or '(空)'}」不是有效的平方米数")
            area = 0.0
        if phone and not PHONE.match(phone.replace(" ", "")):
            bad.append(f"电话「{phone}」格式不对")
        if phone and not name:
            bad.append("有电话但没有姓名")
        said = cells[len(COLUMNS)] if with_relationship else ""
        if said not in RELATIONSHIPS:
            bad.append(f"关系「{said}」应为 业主、家庭成员 或 租户")
        elif said and not name:
            bad.append("有关系但没有姓名")
        key = (building, unit, room)
        if not bad and key in seen and seen[key][1] != area:
            bad.append(f"与第{seen[key][0]}行是同一房屋但面积不同")
        if bad:
            parsed.problems.append(f"{where}：" + "；".join(bad))
            continue
        seen.setdefault(key, (line, area))
        parsed.rows.append(
            RosterRow(
                line, building, unit, room, area, name, phone.replace(" ", ""), RELATIONSHIPS.get(said, "")
            )
        )
    if not parsed.rows and not parsed.problems:
        parsed.problems.append("文件里没有任何房屋")
    return parsed


def check_roster(session: Session, *, text: str) -> list[RosterRow]:
    """Every line checked (reads only); raises :class:`RosterError` naming each bad line."""
    parsed = _parse(session, text)
    if parsed.problems:
        raise RosterError(parsed.problems)
    return parsed.rows


class RosterWriter:
    """Writes checked rows in the caller's transaction, a chunk at a time, keeping one report.

    Each chunk looks its rooms and householders up with one statement each; a re-run of the same
    rows changes nothing, so an import that stopped half-way is finished by importing again.
    """

    def __init__(self, *, lines: int) -> None:
        self.report = RosterReport(lines=lines)
        self._rooms_done: set[int] = set()

    def write(self, session: Session, rows: Sequence[RosterRow], *, now: datetime) -> None:
        building_ids = {b.number: b.id for b in session.exec(select(Building))}
        keys = [(building_ids[r.building], r.unit, r.room) for r in rows]
        rooms = self._rooms(session, set(keys))
        new_rooms: dict[tuple[int, str, str], float] = {}
        areas: dict[int, float] = {}
        for key, row in zip(keys, rows, strict=True):
            if key in rooms:
                room_id, area = rooms[key]
                if room_id not in self._rooms_done and room_id not in areas and area != row.area:
                    areas[room_id] = row.area
            elif key not in new_rooms:
                new_rooms[key] = row.area
        if new_rooms:
            session.execute(
                insert(_ROOMS),
                [{"building_id": b, "unit": u, "room": r, "area": a} for (b, u, r), a in new_rooms.items()],
            )
            rooms |= self._rooms(session, set(new_rooms))
        if areas:
            session.execute(
                update(_ROOMS).where(_ROOMS.c.id == bindparam("room_id")).values(area=bindparam("new_area")),
                [{"room_id": room_id, "new_area": area} for room_id, area in areas.items()],
            )
        self.report.rooms_created += len(new_rooms)
        self.report.rooms_updated += len(areas)
        self._rooms_done.update(room_id for room_id, _ in rooms.values())
        self._householders(session, [(rooms[key][0], row) for key, row in zip(keys, rows, strict=True)], now)

    @staticmethod
    def _rooms(
        session: Session, keys: set[tuple[int, str, str]]
    ) -> dict[tuple[int, str, str], tuple[int, float]]:
        # Three plain INs, not a row-value IN: SQLite searches the unique index with these (with
        # a row value it scans the table), and the few extra combinations are filtered out here.
        query = select(Room.id, Room.building_id, Room.unit, Room.room, Room.area).where(
            col(Room.building_id).in_({b for b, _, _ in keys}),
            col(Room.unit).in_({u for _, u, _ in keys}),
            col(Room.room).in_({r for _, _, r in keys}),
        )
        found = {(b, u, r): (room_id, area) for room_id, b, u, r, area in session.execute(query)}
        return {key: value for key, value in found.items() if key in keys}

    def _householders(self, session: Session, rows: list[tuple[int, RosterRow]], now: datetime) -> None:
        named = [(room_id, row) for room_id, row in rows if row.name]
        if not named:
            return
        pairs = {(room_id, row.name) for room_id, row in named}
        query = select(
            Householder.id, Householder.room_id, Householder.name, Householder.phone, Householder.relationship
        ).where(col(Householder.room_id).in_({room_id for room_id, _ in pairs}))
        facts = {
            (room_id, name): (holder_id, (phone, relationship))
            for holder_id, room_id, name, phone, relationship in session.execute(query)
            if (room_id, name) in pairs
        }
        new: dict[tuple[int, str], tuple[str, str]] = {}
        changed: dict[int, tuple[str, str]] = {}
        for room_id, row in named:
            key = (room_id, row.name)
            if key in new:  # the same person twice in this chunk: the later line's facts
                wanted = (row.phone, row.relationship or new[key][1])
                if new[key] != wanted:
                    new[key] = wanted
                    self.report.people_updated += 1
                else:
                    self.report.unchanged += 1
            elif key not in facts:
                new[key] = (row.phone, row.relationship)
                self.report.people_created += 1
            else:
                holder_id, known = facts[key]
                wanted = (row.phone, row.relationship or known[1])  # an empty 关系 keeps what was said
                if wanted != known:
                    changed[holder_id] = wanted
                    facts[key] = (holder_id, wanted)
                    self.report.people_updated += 1
                else:
                    self.report.unchanged += 1
        if new:
            session.execute(
                insert(_HOLDERS),
                [
                    {"room_id": r, "name": n, "phone": p, "relationship": rel, "updated_at": now}
                    for (r, n), (p, rel) in new.items()
                ],
            )
        if changed:
            session.execute(
                update(_HOLDERS)
                .where(_HOLDERS.c.id == bindparam("holder_id"))
                .values(
                    phone=bindparam("new_phone"), relationship=bindparam("new_relationship"), updated_at=now
                ),
                [
                    {"holder_id": holder_id, "new_phone": phone, "new_relationship": rel}
                    for holder_id, (phone, rel) in changed.items()
                ],
            )


def import_roster(session: Session, *, text: str, now: datetime) -> RosterReport:
    """Check every line, then upsert rooms (area) and householders in this one transaction;
    raises :class:`RosterError`. (Large files: ``check_roster`` and ``RosterWriter`` in chunks.)"""
    rows = check_roster(session, text=text)
    writer = RosterWriter(lines=len(rows))
    writer.write(session, rows, now=now)
    return writer.report


def roster(
    session: Session, *, building_ids: frozenset[int] | None = None
) -> list[tuple[Building, Room, Householder]]:
    """Registered householders with their room, by building, unit and room."""
    return list(session.exec(roster_query(building_ids=building_ids)).all())


def roster_query(*, building_ids: frozenset[int] | None = None) -> Select[tuple[Building, Room, Householder]]:
    """The query behind :func:`roster`, for paging."""
    query = (
        select(Building, Room, Householder)
        .join(Room, col(Room.building_id) == Building.id)
        .join(Householder, col(Householder.room_id) == Room.id)
        .order_by(col(Building.number), col(Room.unit), col(Room.room), col(Householder.id))
    )
    if building_ids is not None:
        query = query.where(col(Building.id).in_(building_ids))
    return query
