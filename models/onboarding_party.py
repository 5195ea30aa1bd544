"""The party part of the community import: ``[[party_orgs]]`` and ``[[party_members]]``.

```toml
[[party_orgs]]
name = "阳光里社区党委"
level = "社区党委"            # 社区党委 | 网格党支部 | 楼院党小组 | 党员中心户

[[party_orgs]]
name = "第二网格党支部"
level = "网格党支部"
parent = "阳光里社区党委"     # one level up: a 党小组 under a 支部, a 中心户 under a 党小组

[[party_members]]
openid = "demo-party-gao"     # someone in [[people]] (or wecom_userid)
org = "3栋党小组"
service_unit = "市第三人民医院"  # 在职党员双报到: the unit they work at; leave out for residents
joined = "2009-07-01"
post = "助老先锋岗"
skills = ["量血压", "代购"]
availability = "周末"
areas = ["3", "5-1"]          # 责任区: building 3, and unit 1 of building 5
```

Natural keys: an organisation by name, a membership by person. Re-importing updates them, and a
member's 责任区 becomes exactly the areas the file lists.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from models.community import Building
from models.party import CHILD_LEVEL, LEVEL_BY_NAME, DutyArea, OrgLevel, PartyMember, PartyOrg, parse_area
from models.people import Person

Count = Any  # (kind, created) -> None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _joined(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(_text(value)) if _text(value) else None


def validate_party(data: dict[str, Any], people: set[str], buildings: set[str]) -> list[str]:
    """Problems of the party sections; ``people`` are the openids and WeCom ids in [[people]]."""
    problems: list[str] = []
    orgs = data.get("party_orgs", [])
    level_of = {_text(o.get("name")): LEVEL_BY_NAME.get(_text(o.get("level"))) for o in orgs}
    levels = "、".join(LEVEL_BY_NAME)
    for i, entry in enumerate(orgs):
        name = _text(entry.get("name"))
        where = f"party_orgs[{i}]（{name or '无名'}）"
        level = LEVEL_BY_NAME.get(_text(entry.get("level")))
        parent = _text(entry.get("parent"))
        if not name:
            problems.append(f"{where} 缺少 name")
        if level is None:
            problems.append(f"{where} 的 level 无效：{entry.get('level')!r}（可选 {levels}）")
        elif not parent and level != OrgLevel.committee:
            problems.append(f"{where} 需要写上级组织 parent")
        elif parent and parent not in level_of:
            problems.append(f"{where} 的上级 {parent} 未定义")
        elif parent and CHILD_LEVEL.get(level_of[parent]) != level:  # type: ignore[arg-type]
            problems.append(
                f"{where} 不能直接设在 {parent} 之下（要逐级：社区党委→网格党支部→楼院党小组→党员中心户）"
            )
    seen: set[str] = set()
    for i, entry in enumerate(data.get("party_members", [])):
        ident = _text(entry.get("openid")) or _text(entry.get("wecom_userid"))
        where = f"party_members[{i}]（{ident or '无名'}）"
        if ident not in people:
            problems.append(f"{where} 不在 [[people]] 中")
        elif ident in seen:
            problems.append(f"{where} 重复")
        seen.add(ident)
        if _text(entry.get("org")) not in level_of:
            problems.append(f"{where} 的组织 {entry.get('org')!r} 不在 [[party_orgs]] 中")
        try:
            _joined(entry.get("joined"))
        except ValueError:
            problems.append(f'{where} 的 joined 不是日期（例如 "2009-07-01"）：{entry.get("joined")!r}')
        for area in entry.get("areas", []):
            if parse_area(_text(area))[0] not in buildings:
                problems.append(f"{where} 的责任区 {area} 的楼栋未定义")
    return problems


def import_party(
    session: Session, *, data: dict[str, Any], community_id: int, now: datetime, count: Count
) -> None:
    orgs: dict[str, PartyOrg] = {}
    for entry in data.get("party_orgs", []):
        name = _text(entry["name"])
        org = session.exec(
            select(PartyOrg).where(PartyOrg.community_id == community_id, PartyOrg.name == name)
        ).first()
        count("party_org", org is None)
        org = org or PartyOrg(community_id=community_id, name=name)
        org.level = LEVEL_BY_NAME[_text(entry["level"])]
        orgs[name] = org
    session.add_all(orgs.values())
    session.flush()  # every organisation has an id: now the parents, in whatever order the file has them
    for entry in data.get("party_orgs", []):
        parent = _text(entry.get("parent"))
        orgs[_text(entry["name"])].parent_id = orgs[parent].id if parent else None
    session.flush()
    buildings = {
        b.number: b.id for b in session.exec(select(Building).where(Building.community_id == community_id))
    }
    for entry in data.get("party_members", []):
        openid, wecom = _text(entry.get("openid")), _text(entry.get("wecom_userid"))
        person = session.exec(
            select(Person).where(Person.openid == openid if openid else Person.wecom_userid == wecom)
        ).first()
        assert person is not None and person.id is not None  # validated, imported before
        member = session.exec(select(PartyMember).where(PartyMember.person_id == person.id)).first()
        count("party_member", member is None)
        member = member or PartyMember(person_id=person.id, org_id=0, created_at=now)
        member.org_id = orgs[_text(entry["org"])].id  # type: ignore[assignment]
        member.service_unit = _text(entry.get("service_unit"))
        member.joined_on = _joined(entry.get("joined"))
        member.post = _text(entry.get("post"))
        member.skills = [_text(s) for s in entry.get("skills", [])]
        member.availability = _text(entry.get("availability"))
        session.add(member)
        session.flush()
        wanted = {parse_area(_text(a)) for a in entry.get("areas", [])}
        wanted_ids = {(buildings[number], unit) for number, unit in wanted}
        held = session.exec(select(DutyArea).where(DutyArea.member_id == member.id)).all()
        stale = [a.id for a in held if (a.building_id, a.unit) not in wanted_ids]
        if stale:
            session.exec(delete(DutyArea).where(col(DutyArea.id).in_(stale)))  # type: ignore[call-overload]
        have = {(a.building_id, a.unit) for a in held}
        for building_id, unit in sorted(wanted_ids - have, key=str):
            session.add(DutyArea(member_id=member.id, building_id=building_id, unit=unit))  # type: ignore[arg-type]
    session.flush()
