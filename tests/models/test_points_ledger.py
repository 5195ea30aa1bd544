"""Ledger invariants: the balance is the sum, never negative through debits; corrections compensate;
rewards' stock and orders move together; the community import of activities and rewards is idempotent."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.activities import Activity
from models.onboarding import ImportError_, import_community
from models.people import Person, Role
from models.points import PointEntry, PointSource, balance, correct, credit, debit
from models.rewards import Reward, cancel_redemption, create_reward, redeem
from tests.conftest import DEMO

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
operations = st.lists(
    st.tuples(st.sampled_from(["earn", "spend", "redeem", "cancel"]), st.integers(min_value=1, max_value=30)),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_balance_is_the_sum_and_never_negative(
    sqlite_template: object, tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]]
) -> None:
    import shutil

    from bot.db import create_db_engine

    path = tmp_path_factory.mktemp("ledger") / "l.db"
    shutil.copy(sqlite_template, path)  # type: ignore[arg-type]
    engine = create_db_engine(f"sqlite:///{path}")
    with Session(engine) as session, session.begin():
        person = Person(openid="p", role=Role.resident, created_at=NOW)
        session.add(person)
        session.flush()
        pid = person.id
        assert pid is not None
        reward = create_reward(session, name="洗衣液", cost=7, stock=3, now=NOW)
        expected, stock, orders = 0, 3, []
        for op, amount in ops:
            if op == "earn":
                credit(
                    session, person_id=pid, amount=amount, reason="活动", source=PointSource.activity, now=NOW
                )
                expected += amount
            elif op == "spend":
                if debit(
                    session, person_id=pid, cost=amount, reason="兑换", source=PointSource.redemption, now=NOW
                ):
                    expected -= amount
            elif op == "redeem":
                result = redeem(session, reward_id=reward.id, person_id=pid, now=NOW)  # type: ignore[arg-type]
                if result.outcome == "ordered":
                    expected, stock = expected - 7, stock - 1
                    orders.append(result.redemption.id)  # type: ignore[union-attr]
            elif orders:
                cancel_redemption(session, redemption_id=orders.pop(), now=NOW, by="test")
                expected, stock = expected + 7, stock + 1
            assert balance(session, person_id=pid) == expected >= 0
            session.refresh(reward)
            assert reward.stock == stock >= 0
    engine.dispose()


def test_corrections_are_compensating_entries_with_a_reason(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        person = Person(openid="p", role=Role.resident, created_at=NOW)
        session.add(person)
        session.flush()
        pid = person.id
        assert pid is not None
        credit(
            session,
            person_id=pid,
            amount=4,
            reason="巡逻",
            source=PointSource.activity,
            now=NOW,
            idempotency_key="k",
        )
        assert not credit(
            session,
            person_id=pid,
            amount=4,
            reason="巡逻",
            source=PointSource.activity,
            now=NOW,
            idempotency_key="k",
        )
        correct(session, person_id=pid, amount=-3, reason="重复记分更正", operator="admin", now=NOW)
        with pytest.raises(ValueError):
            correct(session, person_id=pid, amount=-5, reason="过多", operator="admin", now=NOW)
        with pytest.raises(ValueError):
            correct(session, person_id=pid, amount=2, reason=" ", operator="admin", now=NOW)
        entries = session.exec(select(PointEntry).order_by(PointEntry.id)).all()  # type: ignore[arg-type]
        assert [(e.amount, e.source) for e in entries] == [(4, PointSource.activity), (-3, PointSource.admin)]
        assert balance(session, person_id=pid) == 1


def test_cancelling_an_order_refunds_once(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        person = Person(openid="p", role=Role.resident, created_at=NOW)
        session.add(person)
        session.flush()
        pid = person.id
        assert pid is not None
        credit(session, person_id=pid, amount=10, reason="活动", source=PointSource.activity, now=NOW)
        reward = create_reward(session, name="理发一次", cost=8, stock=1, now=NOW)
        order = redeem(session, reward_id=reward.id, person_id=pid, now=NOW).redemption  # type: ignore[arg-type]
        assert order is not None and balance(session, person_id=pid) == 2
        assert redeem(session, reward_id=reward.id, person_id=pid, now=NOW).outcome == "out_of_stock"  # type: ignore[arg-type]
        cancel_redemption(session, redemption_id=order.id, now=NOW, by="test")  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            cancel_redemption(session, redemption_id=order.id, now=NOW, by="test")  # type: ignore[arg-type]
        assert balance(session, person_id=pid) == 10
        assert session.get(Reward, reward.id).stock == 1  # type: ignore[union-attr]


def test_import_of_activities_rewards_and_teams_is_idempotent(engine: Engine) -> None:
    data = tomllib.loads(DEMO.read_text(encoding="utf-8"))
    with Session(engine) as session, session.begin():
        first = import_community(session, data=data, now=NOW)
    with Session(engine) as session, session.begin():
        second = import_community(session, data=data, now=NOW + timedelta(days=1))
    assert first.created["activity"] == 3 and first.created["reward"] == 4 and first.created["team"] == 2
    assert "activity" not in second.created and second.updated["activity"] == 3
    with Session(engine) as session:
        assert len(session.exec(select(Activity)).all()) == 3
        assert len(session.exec(select(Reward)).all()) == 4


def test_import_rejects_bad_activities_and_rewards(engine: Engine) -> None:
    data = tomllib.loads(DEMO.read_text(encoding="utf-8"))
    data["activities"].append({"title": "无时区", "starts_at": datetime(2026, 12, 1, 9), "capacity": 0})
    data["rewards"].append({"name": "负库存", "cost": 0, "stock": -1})
    with Session(engine) as session, session.begin(), pytest.raises(ImportError_) as problem:
        import_community(session, data=data, now=NOW)
    text = "; ".join(problem.value.problems)
    assert "starts_at 需要带时区" in text and "capacity" in text and "cost" in text and "stock" in text


def test_api_validates_and_protects(
    app_client: TestClient, admin_headers: dict[str, str], demo: None
) -> None:
    body = {
        "title": "宣讲",
        "kind": "宣讲",
        "starts_at": "2026-12-01T09:00:00+08:00",
        "place": "党群服务中心",
        "capacity": 5,
        "points": 2,
    }
    assert app_client.post("/api/v1/activities", json=body).status_code == 401
    assert (
        app_client.post("/api/v1/activities", json={**body, "capacity": 0}, headers=admin_headers).status_code
        == 422
    )
    naive = {**body, "starts_at": "2026-12-01T09:00:00"}
    assert app_client.post("/api/v1/activities", json=naive, headers=admin_headers).status_code == 422
    created = app_client.post("/api/v1/activities", json=body, headers=admin_headers)
    assert created.status_code == 201 and created.json()["id"]
    missing = app_client.post(
        "/api/v1/activities/9999/attendance", json={"openids": ["x"]}, headers=admin_headers
    )
    assert missing.status_code == 404
    reward = app_client.post(
        "/api/v1/rewards", json={"name": "毛巾", "cost": 3, "stock": 10}, headers=admin_headers
    )
    assert reward.status_code == 201 and reward.json()["id"]
    dup = app_client.post(
        "/api/v1/rewards", json={"name": "毛巾", "cost": 3, "stock": 10}, headers=admin_headers
    )
    assert dup.status_code == 409
    bad = app_client.post(
        "/api/v1/rewards", json={"name": "x", "cost": 3, "stock": -1}, headers=admin_headers
    )
    assert bad.status_code == 422
    unknown = app_client.post("/api/v1/redemptions/pickup", json={"code": "000000"}, headers=admin_headers)
    assert unknown.status_code == 404
    attendance = app_client.post(
        f"/api/v1/activities/{created.json()['id']}/attendance",
        json={"openids": ["demo-resident-li", "demo-resident-li", "nobody"]},
        headers=admin_headers,
    )
    assert attendance.json() == {
        "credited": ["demo-resident-li"],
        "already": [],
        "unknown": ["nobody"],
        "points": 2,
    }
    ledger = app_client.get("/api/v1/points/demo-resident-li", headers=admin_headers).json()
    assert ledger["balance"] == 2 and ledger["entries"][0]["source"] == "activity"
