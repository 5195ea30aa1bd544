"""Relative times in a community import ("+3d 09:00") and the [[visit_rotas]] section."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.activities import Activity
from models.base import LOCAL_TZ
from models.onboarding import ImportError_, import_community
from models.onboarding_dates import import_time
from models.people import Person
from models.visits import VisitRota
from tests.conftest import DEMO

LATE_EVENING = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # already 11月24日 01:00 in Beijing


def _beijing(moment: datetime) -> str:
    return f"{moment.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("+3d 09:00", "2026-11-27 09:00"),  # counted from the Beijing date, not the UTC one
        ("-10d 14:30", "2026-11-14 14:30"),
        ("+0d 18:00", "2026-11-24 18:00"),
        (" +1d 7:05 ", "2026-11-25 07:05"),
        (datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ), "2026-12-01 09:00"),
    ],
)
def test_times_resolve_against_the_import_day_in_beijing(written: Any, meant: str) -> None:
    assert _beijing(import_time(written, now=LATE_EVENING)) == meant


@pytest.mark.parametrize(
    "written", ["+3 09:00", "明天 09:00", "+3d", "+3d 24:00", "+3d 09:60", 20261128, datetime(2026, 12, 1, 9)]
)
def test_anything_else_is_refused_with_the_formats_that_work(written: Any) -> None:
    with pytest.raises(ValueError, match=r'"\+3d 09:00"'):
        import_time(written, now=LATE_EVENING)


def _demo() -> dict[str, Any]:
    return tomllib.loads(DEMO.read_text(encoding="utf-8"))


def _import(engine: Engine, data: dict[str, Any], now: datetime) -> dict[str, dict[str, int]]:
    with Session(engine) as session, session.begin():
        report = import_community(session, data=data, now=now)
    return {"created": report.created, "updated": report.updated}


def test_bad_times_name_the_section_and_the_field_and_nothing_is_written(engine: Engine) -> None:
    data = _demo()
    data["activities"][0]["starts_at"] = "下周六 09:00"
    data["activities"][1]["ends_at"] = "+3d 18:00"  # before its start at +3d 19:30
    data["visit_rotas"][0]["first_due"] = "+1d 10点"
    data["visit_rotas"].append({"elder": "demo-elder-liu", "volunteer": "nobody", "first_due": "+2d 10:00"})
    with Session(engine) as session, session.begin(), pytest.raises(ImportError_) as caught:
        import_community(session, data=data, now=LATE_EVENING)
    problems = caught.value.problems
    assert any(p.startswith("activities[0]（社区义诊） 的 starts_at 需要带时区的时间") for p in problems)
    assert "activities[1]（夜间治安巡逻） 的 ends_at 需要晚于 starts_at" in problems
    assert any(p.startswith("visit_rotas[0] 的 first_due") and "'+1d 10点'" in p for p in problems)
    assert "visit_rotas[1] 的 volunteer 'nobody' 不在 [[people]] 中" in problems
    with Session(engine) as session:
        assert session.exec(select(Person)).first() is None


def test_the_demo_is_upcoming_whenever_it_is_imported_and_reimport_adds_nothing(engine: Engine) -> None:
    much_later = LATE_EVENING + timedelta(days=400)
    first = _import(engine, _demo(), much_later)
    assert first["created"]["activity"] == 3 and first["created"]["visit_rota"] == 1
    with Session(engine) as session:
        activities = session.exec(select(Activity).order_by(Activity.starts_at)).all()  # type: ignore[arg-type]
        starts = [_beijing(a.starts_at) for a in activities]
        assert starts == ["2028-01-01 19:30", "2028-01-03 09:00", "2028-01-04 14:00"]
        rota = session.exec(select(VisitRota)).one()
        assert _beijing(rota.next_due_at) == "2027-12-30 10:00" and rota.every_days == 7

    again = _import(engine, _demo(), much_later + timedelta(days=1))  # the next day: same instances
    assert "activity" not in again["created"] and again["updated"]["activity"] == 3
    assert "visit_rota" not in again["created"] and again["updated"]["visit_rota"] == 1
    with Session(engine) as session:
        assert len(session.exec(select(Activity)).all()) == 3
        assert _beijing(session.exec(select(VisitRota)).one().next_due_at) == "2027-12-30 10:00"


def test_a_relative_activity_comes_again_once_the_last_one_is_over(engine: Engine) -> None:
    data = _demo()
    data["activities"].append(
        {"title": "垃圾分类宣传", "starts_at": "-3d 09:00", "ends_at": "-3d 11:00", "capacity": 5}
    )
    _import(engine, data, LATE_EVENING)
    later = _import(engine, data, LATE_EVENING + timedelta(days=10))  # every upcoming one has ended
    assert later["created"] == {"activity": 3} and later["updated"]["activity"] == 1  # the past one stays
    with Session(engine) as session:
        titles = [a.title for a in session.exec(select(Activity))]
        assert len(titles) == 7 and titles.count("社区义诊") == 2 and titles.count("垃圾分类宣传") == 1
