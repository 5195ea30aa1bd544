"""The party organisation (党组织) and its members (党员): the tree 社区党委 → 网格党支部 →
楼院党小组 → 党员中心户, each member's place in it, in-service unit (在职党员双报到), 先锋岗 post
and 责任区 (the buildings, or units of a building, they answer for).

A member's 责任区 decides whose tasks reach them: a 微心愿 (``models.wishes``) from a resident of
building 3 unit 1 goes to the members whose area is building 3, or building 3 unit 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, UniqueConstraint, or_
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import enum_field, json_field, utc_field
from models.community import Building
from models.people import Person


class OrgLevel(StrEnum):
    committee = "committee"  # 社区党委
    branch = "branch"  # 网格党支部
    group = "group"  # 楼院党小组
    household = "household"  # 党员中心户


LEVEL_NAMES = {
    OrgLevel.committee: "社区党委",
    OrgLevel.branch: "网格党支部",
    OrgLevel.group: "楼院党小组",
    OrgLevel.household: "党员中心户",
}
LEVEL_BY_NAME = {name: level for level, name in LEVEL_NAMES.items()}
# The level a child sits at, under each level: the tree goes down one step at a time.
CHILD_LEVEL = {
    OrgLevel.committee: OrgLevel.branch,
    OrgLevel.branch: OrgLevel.group,
    OrgLevel.group: OrgLevel.household,
}


class PartyOrg(SQLModel, table=True):
    __tablename__ = "party_org"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=100)
    level: OrgLevel = enum_field(OrgLevel, OrgLevel.group)
    parent_id: int | None = Field(default=None, foreign_key="party_org.id", index=True)


class PartyMember(SQLModel, table=True):
    """A person's party membership: one per person."""

    __tablename__ = "party_member"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    org_id: int = Field(foreign_key="party_org.id", index=True)
    service_unit: str = Field(default="", max_length=100)  # 在职单位 (双报到), "" for a resident member
    joined_on: date | None = Field(default=None, sa_type=Date)
    post: str = Field(default="", max_length=50)  # 先锋岗, e.g. 「助老先锋岗」
    skills: list[str] = json_field(list)  # what they can help with: 「理发」「电脑」「代购」
    availability: str = Field(default="", max_length=100)  # 「周末全天」「工作日晚上」
    created_at: datetime = utc_field()


class DutyArea(SQLModel, table=True):
    """One piece of a member's 责任区: a whole building (unit "") or one unit of it."""

    __tablename__ = "duty_area"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("member_id", "building_id", "unit"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="party_member.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    unit: str = Field(default="", max_length=10)


def area_label(number: str, unit: str) -> str:
    """「3栋」, 「3栋1单元」."""
    head = f"{number}栋" if number.isdigit() else f"{number}座"
    return head + (f"{unit}单元" if unit else "")


def parse_area(text: str) -> tuple[str, str]:
    """「3」 → ("3", ""), 「3-1」 → ("3", "1"): a building, or a unit of it, as the import writes it."""
    number, _, unit = text.strip().partition("-")
    return number.strip().upper(), unit.strip()


def membership(session: Session, person_id: int | None) -> PartyMember | None:
    if person_id is None:
        return None
    return session.exec(select(PartyMember).where(PartyMember.person_id == person_id)).first()


def members_covering(session: Session, *, building_id: int, unit: str) -> list[tuple[PartyMember, Person]]:
    """The members whose 责任区 covers this building (and unit), each once, in id order."""
    query = (
        select(PartyMember, Person)
        .join(Person, col(Person.id) == PartyMember.person_id)
        .where(
            col(PartyMember.id).in_(
                select(DutyArea.member_id).where(
                    DutyArea.building_id == building_id,
                    or_(DutyArea.unit == "", DutyArea.unit == unit),
                )
            ),
            col(Person.erased_at).is_(None),
        )
        .order_by(col(PartyMember.id))
    )
    return [(member, person) for member, person in session.exec(query)]


def covers(session: Session, *, member_id: int, building_id: int, unit: str) -> bool:
    query = select(DutyArea.id).where(
        DutyArea.member_id == member_id,
        DutyArea.building_id == building_id,
        or_(DutyArea.unit == "", DutyArea.unit == unit),
    )
    return session.exec(query).first() is not None


def areas_of(session: Session, member_id: int) -> list[str]:
    """A member's 责任区 as people read it: 「3栋」「1栋2单元」."""
    query = (
        select(Building.number, DutyArea.unit)
        .join(Building, col(Building.id) == DutyArea.building_id)
        .where(DutyArea.member_id == member_id)
        .order_by(col(Building.number), col(DutyArea.unit))
    )
    return [area_label(number, unit) for number, unit in session.exec(query)]


@dataclass(frozen=True)
class OrgNode:
    org: PartyOrg
    depth: int
    members: list[tuple[PartyMember, Person]]


def org_tree(session: Session) -> list[OrgNode]:
    """Every organisation in tree order (a parent before its children), with its members."""
    orgs = list(session.exec(select(PartyOrg).order_by(col(PartyOrg.id))))
    children: dict[int | None, list[PartyOrg]] = {}
    for org in orgs:
        children.setdefault(org.parent_id, []).append(org)
    people = session.exec(
        select(PartyMember, Person)
        .join(Person, col(Person.id) == PartyMember.person_id)
        .order_by(col(PartyMember.id))
    )
    by_org: dict[int, list[tuple[PartyMember, Person]]] = {}
    for member, person in people:
        by_org.setdefault(member.org_id, []).append((member, person))
    known = {org.id for org in orgs}
    out: list[OrgNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, []):
            out.append(OrgNode(org, depth, by_org.get(org.id or 0, [])))
            walk(org.id, depth + 1)

    walk(None, 0)
    for org in orgs:  # a parent that vanished: still shown, at the top
        if org.parent_id is not None and org.parent_id not in known:
            out.append(OrgNode(org, 0, by_org.get(org.id or 0, [])))
    return out
