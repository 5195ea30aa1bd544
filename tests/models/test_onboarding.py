"""Community import: validation before writing, idempotent re-import."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select

from models.community import Building, Room
from models.onboarding import ImportError_, import_community
from models.people import Person, Role
from tests.conftest import DEMO

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _demo() -> dict:
    return tomllib.loads(DEMO.read_text(encoding="utf-8"))


def _count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_demo_community_is_believable(session: Session) -> None:
    import_community(session, data=_demo(), now=NOW)
    session.commit()
    assert _count(session, Building) >= 4
    roles = {p.role for p in session.exec(select(Person))}
    assert roles == set(Role)
    staff = session.exec(select(Person).where(Person.role == Role.staff)).all()
    assert len({tuple(p.skills) for p in staff}) >= 2  # repair skills differ; plus the property lead
    assert all(r.area > 0 for r in session.exec(select(Room)))


def test_reimport_changes_nothing(session: Session) -> None:
    first = import_community(session, data=_demo(), now=NOW)
    session.commit()
    counts = (_count(session, Building), _count(session, Room), _count(session, Person))
    second = import_community(session, data=_demo(), now=NOW)
    session.commit()
    assert (_count(session, Building), _count(session, Room), _count(session, Person)) == counts
    assert second.created == {} and sum(second.updated.values()) == sum(first.created.values())


def test_bad_file_names_every_problem_and_writes_nothing(session: Session) -> None:
    data = _demo()
    data["rooms"].append({"building": "99", "unit": "1", "room": "101", "area": "大"})
    data["people"].append(
        {"openid": "x", "name": "无房", "role": "mayor", "building": "3", "unit": "9", "room": "9"}
    )
    with pytest.raises(ImportError_) as caught:
        import_community(session, data=data, now=NOW)
    session.rollback()
    text = "\n".join(caught.value.problems)
    assert "楼栋 99 未定义" in text and "area 不是有效面积" in text
    assert "role 无效" in text and "不在 [[rooms]] 中" in text
    assert _count(session, Building) == 0


def test_numbers_the_database_cannot_hold_are_problems_not_crashes(session: Session) -> None:
    data = _demo()
    data["rooms"][0]["area"] = float("inf")
    data["rooms"][1]["area"] = float("nan")
    data["activities"][0]["capacity"] = 10**20
    data["rewards"][0]["stock"] = 2**63
    data["rewards"][1]["cost"] = True  # TOML's true is no number of points
    data["visit_rotas"][0]["every_days"] = 10**6
    with pytest.raises(ImportError_) as caught:
        import_community(session, data=data, now=NOW)
    session.rollback()
    text = "\n".join(caught.value.problems)
    assert text.count("area 不是有效面积") == 2
    assert "capacity 需要是正整数" in text and "stock 需要是非负整数" in text
    assert "cost 需要是正整数" in text and "every_days 需要是 1 到 366 之间的整数" in text
    assert _count(session, Building) == 0
