"""Capacity and balances under real concurrency: threads, one session each (PostgreSQL: READ COMMITTED)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.db import write_gate
from models.activities import Activity, Signup, SignupStatus, create_activity, sign_up
from models.people import Person, Role
from models.points import PointEntry, PointSource, balance, credit
from models.rewards import Redemption, Reward, create_reward, redeem

T = TypeVar("T")


def _people(engine: Engine, count: int, now: object) -> list[int]:
    with Session(engine) as session, session.begin():
        people = [Person(openid=f"racer-{i}", role=Role.resident, created_at=now) for i in range(count)]
        session.add_all(people)
        session.flush()
        return [p.id for p in people]  # type: ignore[misc]


def _race(engine: Engine, count: int, work: Callable[[Session, int], T]) -> list[T]:
    """Run ``work`` ``count`` times at once, each in its own thread, session and transaction."""
    barrier = threading.Barrier(count)

    def one(index: int) -> T:
        barrier.wait()
        with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
            return work(session, index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_fifty_simultaneous_sign_ups_for_ten_places(engine: Engine, clock: ManualClock) -> None:
    now = clock.now()
    ids = _people(engine, 50, now)
    with Session(engine) as session, session.begin():
        activity_id = create_activity(
            session,
            title="周六义诊",
            kind="义诊",
            starts_at=now + timedelta(days=3),
            place="社区广场",
            capacity=10,
            points=2,
            now=now,
        ).id

    def work(session: Session, index: int) -> str:
        person = session.get(Person, ids[index])
        assert person is not None
        return sign_up(session, activity_id=activity_id, person=person, now=now).outcome  # type: ignore[arg-type]

    outcomes = _race(engine, 50, work)
    assert outcomes.count("confirmed") == 10 and outcomes.count("waitlisted") == 40
    with Session(engine) as session:
        activity = session.get(Activity, activity_id)
        assert activity is not None and activity.taken == 10
        counts = dict(
            session.exec(select(Signup.status, func.count()).group_by(Signup.status)).all()  # type: ignore[arg-type]
        )
        assert counts == {SignupStatus.confirmed: 10, SignupStatus.waitlisted: 40}


def test_thirty_simultaneous_redemptions_with_a_balance_for_three(engine: Engine, clock: ManualClock) -> None:
    now = clock.now()
    (person_id,) = _people(engine, 1, now)
    with Session(engine) as session, session.begin():
        reward_id = create_reward(session, name="大米5斤", cost=20, stock=100, now=now).id
        credit(session, person_id=person_id, amount=65, reason="测试", source=PointSource.admin, now=now)

    def work(session: Session, index: int) -> str:
        return redeem(session, reward_id=reward_id, person_id=person_id, now=now).outcome  # type: ignore[arg-type]

    outcomes = _race(engine, 30, work)
    assert outcomes.count("ordered") == 3 and outcomes.count("insufficient") == 27
    with Session(engine) as session:
        assert balance(session, person_id=person_id) == 5
        assert len(session.exec(select(Redemption)).all()) == 3
        reward = session.get(Reward, reward_id)
        assert reward is not None and reward.stock == 97
        amounts = session.exec(select(PointEntry.amount).order_by(col(PointEntry.id))).all()
        running = 0
        for amount in amounts:  # in commit order the balance never dips below zero
            running += amount
            assert running >= 0


def test_stock_is_never_exceeded_by_many_redeemers(engine: Engine, clock: ManualClock) -> None:
    now = clock.now()
    ids = _people(engine, 20, now)
    with Session(engine) as session, session.begin():
        reward_id = create_reward(session, name="幸福食堂午餐", cost=5, stock=4, now=now).id
        for person_id in ids:
            credit(session, person_id=person_id, amount=10, reason="测试", source=PointSource.admin, now=now)

    def work(session: Session, index: int) -> str:
        return redeem(session, reward_id=reward_id, person_id=ids[index], now=now).outcome  # type: ignore[arg-type]

    outcomes = _race(engine, 20, work)
    assert outcomes.count("ordered") == 4 and outcomes.count("out_of_stock") == 16
    with Session(engine) as session:
        reward = session.get(Reward, reward_id)
        assert reward is not None and reward.stock == 0
        total = session.exec(select(func.sum(PointEntry.amount))).one()
        assert total == 20 * 10 - 4 * 5
