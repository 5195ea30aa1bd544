"""Spots (码上办): imported from the community file with stable scene strings; the nearest place to
a location."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from models.community import Building
from models.onboarding import ImportError_, import_community
from models.spots import Spot, SpotKind, list_spots, nearest_place, spot_by_scene
from tests.conftest import DEMO

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _demo() -> dict:
    return tomllib.loads(DEMO.read_text(encoding="utf-8"))


def test_demo_spots_have_lifts_per_unit_gates_and_bin_points(session: Session) -> None:
    import_community(session, data=_demo(), now=NOW)
    session.commit()
    lifts = list_spots(session, kind="lift")
    assert len(lifts) == 8 and {s.name for s in list_spots(session, building="3", kind="lift")} == {
        "3栋1单元电梯",
        "3栋2单元电梯",
    }
    lift = spot_by_scene(session, "spot:3-2-lift")
    assert lift is not None and lift.kind == SpotKind.lift and lift.spot_words == "2单元电梯"
    assert {s.kind for s in list_spots(session)} >= {SpotKind.lift, SpotKind.gate, SpotKind.bin}
    assert spot_by_scene(session, "spot:nowhere") is None and spot_by_scene(session, "123123") is None


def test_reimport_keeps_each_spot_and_its_scene(session: Session) -> None:
    import_community(session, data=_demo(), now=NOW)
    session.commit()
    before = {s.scene: s.id for s in session.exec(select(Spot))}
    report = import_community(session, data=_demo(), now=NOW)
    session.commit()
    assert {s.scene: s.id for s in session.exec(select(Spot))} == before
    assert "spot" not in report.created and report.updated["spot"] == len(before)


def test_bad_spots_are_named(session: Session) -> None:
    data = _demo()
    data["spots"] += [
        {"kind": "fountain", "code": "f"},
        {"kind": "gate", "name": "西门"},  # no code
        {"kind": "lift", "building": "99", "unit": "1"},
        {"kind": "gate", "code": "east-gate", "name": "又一个东门"},
        {"kind": "bin", "code": "bin-9", "name": "9号点", "lat": 37.8},
    ]
    with pytest.raises(ImportError_) as caught:
        import_community(session, data=data, now=NOW)
    session.rollback()
    text = "\n".join(caught.value.problems)
    assert "kind 无效" in text and "需要 code" in text and "楼栋 99 未定义" in text
    assert "code 重复：east-gate" in text and "lat/lon 要成对填写" in text
    assert session.exec(select(Building)).first() is None


def test_a_location_finds_the_nearest_known_place(session: Session) -> None:
    import_community(session, data=_demo(), now=NOW)
    session.commit()
    near_east_gate = nearest_place(session, latitude=37.86081, longitude=112.55079)
    assert near_east_gate is not None and near_east_gate.label == "小区东门"
    assert near_east_gate.latitude == 37.86081  # where the resident stood is kept
    assert nearest_place(session, latitude=23.134521, longitude=113.358803) is None  # another city
