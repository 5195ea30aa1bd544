"""The party organisation from the community file: the tree, members, 双报到 units and 责任区."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, func, select

from models.community import Building
from models.onboarding import ImportError_, import_community
from models.party import DutyArea, OrgLevel, PartyMember, areas_of, members_covering, membership, org_tree
from models.people import person_by_openid
from tests.conftest import DEMO

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _demo() -> dict:
    return tomllib.loads(DEMO.read_text(encoding="utf-8"))


def _building(session: Session, number: str) -> int:
    found = session.exec(select(Building.id).where(Building.number == number)).first()
    assert found is not None
    return found


def test_the_demo_tree_goes_down_level_by_level_with_members_in_it(session: Session) -> None:
    import_community(session, data=_demo(), now=NOW)
    session.commit()
    tree = org_tree(session)
    assert [(n.depth, n.org.level) for n in tree][:2] == [(0, OrgLevel.committee), (1, OrgLevel.branch)]
    assert {n.org.level for n in tree} == set(OrgLevel)
    household = next(n for n in tree if n.org.level == OrgLevel.household)
    assert household.depth == 3 and [p.name for _, p in household.members] == ["陈红梅"]
    doctor = person_by_openid(session, "demo-party-huang")
    member = membership(session, doctor.id if doctor else None)
    assert member is not None and member.service_unit == "市第三人民医院"
    assert member.post == "健康服务先锋岗" and member.joined_on == date(2012, 7, 1)
    assert areas_of(session, member.id) == ["3栋", "5栋"]  # type: ignore[arg-type]


def test_a_unit_is_covered_by_members_of_its_building_and_of_that_unit_only(session: Session) -> None:
    import_community(session, data=_demo(), now=NOW)
    session.commit()
    three = _building(session, "3")
    unit_one = [p.name for _, p in members_covering(session, building_id=three, unit="1")]
    unit_two = [p.name for _, p in members_covering(session, building_id=three, unit="2")]
    assert sorted(unit_one) == sorted(["陈红梅", "高建华", "黄志明"])
    assert sorted(unit_two) == sorted(["高建华", "黄志明"])


def test_reimport_keeps_the_tree_and_a_member_s_area_follows_the_file(session: Session) -> None:
    data = _demo()
    import_community(session, data=data, now=NOW)
    session.commit()
    members = session.exec(select(func.count()).select_from(PartyMember)).one()
    again = import_community(session, data=data, now=NOW)
    session.commit()
    assert "party_org" not in again.created and "party_member" not in again.created
    assert session.exec(select(func.count()).select_from(PartyMember)).one() == members
    gao = next(m for m in data["party_members"] if m["openid"] == "demo-party-gao")
    gao["areas"] = ["5-2"]
    import_community(session, data=data, now=NOW)
    session.commit()
    person = person_by_openid(session, "demo-party-gao")
    member = membership(session, person.id if person else None)
    assert member is not None and areas_of(session, member.id) == ["5栋2单元"]  # type: ignore[arg-type]
    assert (
        session.exec(select(func.count()).select_from(DutyArea).where(DutyArea.member_id == member.id)).one()
        == 1
    )


def test_a_tree_that_skips_a_level_or_a_member_nobody_knows_is_refused(session: Session) -> None:
    data = _demo()
    data["party_orgs"].append({"name": "越级小组", "level": "楼院党小组", "parent": "阳光里社区党委"})
    data["party_members"].append({"openid": "nobody", "org": "无此支部", "areas": ["99"]})
    with pytest.raises(ImportError_) as caught:
        import_community(session, data=data, now=NOW)
    session.rollback()
    text = "\n".join(caught.value.problems)
    assert "越级小组" in text and "逐级" in text
    assert "nobody" in text and "无此支部" in text and "责任区 99" in text
