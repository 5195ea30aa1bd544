"""Notices at the outbox level: audiences, scheduling with the clock, idempotency, mutes, expiry, recurrence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.clock import LOCAL_TZ, ManualClock
from models.audience import AudienceError, parse_audience
from models.community import Building, Room
from models.notices import (
    Notice,
    NoticeError,
    NoticeStatus,
    cancel_notice,
    create_notice,
    mute,
    next_occurrence,
    publish_due,
)
from models.operations import Operation, OperationStatus
from models.outbox import OutboxMessage
from models.people import Person
from scheduler.notices import JOBS, expire_notices, publish_due_notices


def write(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def _new(engine: Engine, clock: ManualClock, **fields: object) -> Notice:
    with write(engine) as s, s.begin():
        return create_notice(
            s, now=clock.now(), **{"title": "停水通知", "body": "明天9点到12点停水。", **fields}
        )  # type: ignore[arg-type]


def _run(engine: Engine, clock: ManualClock, job=publish_due_notices) -> int:  # type: ignore[no-untyped-def]
    with write(engine) as s, s.begin():
        return job(s, now=clock.now())


def _rows(session: Session) -> list[OutboxMessage]:
    session.rollback()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")))


def _building_ids(session: Session, *numbers: str) -> set[int]:
    return {b.id for b in session.exec(select(Building).where(col(Building.number).in_(numbers)))}  # type: ignore[misc]


def _residents_of(session: Session, *numbers: str) -> set[int]:
    query = (
        select(Person.id)
        .join(Room, col(Person.room_id) == Room.id)
        .join(Building, col(Room.building_id) == Building.id)
        .where(col(Building.number).in_(numbers))
    )
    return set(session.exec(query).all())  # type: ignore[arg-type]


def test_a_notice_for_buildings_3_and_5_reaches_exactly_them_once_the_clock_passes(
    engine: Engine, session: Session, clock: ManualClock, demo: None
) -> None:
    notice = _new(
        engine, clock, audience={"buildings": ["3", 5]}, publish_at=clock.now() + timedelta(minutes=1)
    )
    assert notice.status == NoticeStatus.scheduled
    assert _run(engine, clock) == 0 and _rows(session) == []  # not yet
    clock.advance(seconds=59)
    assert _run(engine, clock) == 0 and _rows(session) == []
    clock.advance(seconds=1)
    assert _run(engine, clock) == 1
    rows = _rows(session)
    assert {r.building_id for r in rows if r.building_id} == _building_ids(session, "3", "5")
    residents = _residents_of(session, "3", "5")
    assert len(residents) >= 3  # 王秀兰 (3栋), 张伟 (5栋), 陈红梅 (3栋)
    assert sorted(r.person_id for r in rows if r.person_id) == sorted(residents)
    assert all(r.text.startswith("【停水通知】") for r in rows)
    # idempotent: the job again, later, and a direct publication change nothing
    assert _run(engine, clock) == 0
    clock.advance(minutes=5)
    assert _run(engine, clock) == 0
    assert len(_rows(session)) == len(rows)
    session.rollback()
    assert session.get(Notice, notice.id).status == NoticeStatus.published  # type: ignore[union-attr]
    operation = session.exec(select(Operation)).one()
    assert operation.status == OperationStatus.done and operation.done == operation.total == len(rows)


@pytest.mark.parametrize(
    ("audience", "buildings", "homes"),
    [
        ({"all": True}, ("1", "2", "3", "5"), ("1", "2", "3", "5")),
        ({"grids": ["第一网格"]}, ("1", "2"), ("1", "2")),
        ({"units": ["3-2"]}, (), ()),
    ],
)
def test_audiences_resolve_to_groups_and_residents(
    engine: Engine,
    session: Session,
    clock: ManualClock,
    demo: None,
    audience: dict[str, object],
    buildings: tuple[str, ...],
    homes: tuple[str, ...],
) -> None:
    _new(engine, clock, audience=audience)
    assert _run(engine, clock) == 1
    rows = _rows(session)
    assert {r.building_id for r in rows if r.building_id} == _building_ids(session, *buildings)
    people = {r.person_id for r in rows if r.person_id}
    if audience.get("units"):
        wang = session.exec(select(Person).where(Person.openid == "demo-resident-wang")).one()
        chen = session.exec(select(Person).where(Person.openid == "demo-head-chen")).one()  # 3栋1单元
        assert people == {wang.id}
        assert chen.id not in people
    else:
        assert people == _residents_of(session, *homes)


@pytest.mark.parametrize(
    ("audience", "message"),
    [
        ({"buildings": ["3", "9"]}, "unknown building(s): 9"),
        ({"buildings": []}, "audience.buildings is empty"),
        ({"buildings": ["3"], "grids": ["第一网格"]}, "exactly one of"),
        ({"all": False}, "audience.all must be true"),
        ({"units": ["3-7"]}, "unknown unit(s): 3-7"),
        ({"units": ["32"]}, "building-unit"),
        ({"grids": ["第九网格"]}, "unknown grid(s): 第九网格"),
        ({"rooms": ["1"]}, "unknown audience key"),
        ([], "must be an object"),
    ],
)
def test_bad_audiences_are_refused_precisely(
    session: Session, demo: None, audience: object, message: str
) -> None:
    with pytest.raises(AudienceError, match=None) as caught:
        parse_audience(session, audience)
    assert message in str(caught.value)


def test_publish_at_in_the_past_is_refused_and_a_missing_one_publishes_now(
    engine: Engine, session: Session, clock: ManualClock, demo: None
) -> None:
    with pytest.raises(NoticeError) as caught:
        _new(engine, clock, audience={"all": True}, publish_at=clock.now() - timedelta(hours=1))
    assert caught.value.field == "publish_at"
    with pytest.raises(NoticeError) as too_long:
        _new(engine, clock, audience={"all": True}, body="水" * 601)
    assert too_long.value.field == "body"
    _new(engine, clock, audience={"all": True})
    assert _run(engine, clock) == 1


def test_muted_residents_get_no_push_but_the_group_still_does(
    engine: Engine, session: Session, clock: ManualClock, demo: None
) -> None:
    wang = session.exec(select(Person).where(Person.openid == "demo-resident-wang")).one()
    with write(engine) as s, s.begin():
        assert mute(s, person_id=wang.id, category="活动", now=clock.now())  # type: ignore[arg-type]
        assert not mute(s, person_id=wang.id, category="活动", now=clock.now())  # type: ignore[arg-type]
    _new(engine, clock, audience={"buildings": ["3"]}, category="活动", title="重阳节活动")
    _new(engine, clock, audience={"buildings": ["3"]}, category="停水停电")
    assert _run(engine, clock) == 2
    rows = _rows(session)
    activity = [r for r in rows if r.payload["category"] == "活动"]
    water = [r for r in rows if r.payload["category"] == "停水停电"]
    assert wang.id not in {r.person_id for r in activity}
    assert wang.id in {r.person_id for r in water}
    assert any(r.building_id for r in activity)


def test_expiry_and_cancellation(engine: Engine, session: Session, clock: ManualClock, demo: None) -> None:
    soon = _new(engine, clock, audience={"all": True}, expires_at=clock.now() + timedelta(hours=1))
    later = _new(
        engine,
        clock,
        audience={"all": True},
        publish_at=clock.now() + timedelta(hours=3),
        expires_at=clock.now() + timedelta(hours=5),
    )
    withdrawn = _new(engine, clock, audience={"all": True}, publish_at=clock.now() + timedelta(hours=1))
    with write(engine) as s, s.begin():
        cancel_notice(s, notice_id=withdrawn.id)  # type: ignore[arg-type]
    assert _run(engine, clock) == 1
    clock.advance(hours=6)  # downtime: `later` expired before it was ever due
    assert _run(engine, clock) == 0
    assert _run(engine, clock, expire_notices) == 2
    assert _run(engine, clock, expire_notices) == 0
    session.rollback()
    assert [session.get(Notice, n.id).status for n in (soon, later, withdrawn)] == [  # type: ignore[union-attr]
        NoticeStatus.expired,
        NoticeStatus.expired,
        NoticeStatus.cancelled,
    ]
    with write(engine) as s, s.begin(), pytest.raises(ValueError):
        cancel_notice(s, notice_id=soon.id)  # type: ignore[arg-type]


def test_a_monthly_notice_publishes_once_per_month_and_catches_up_once(
    engine: Engine, session: Session, clock: ManualClock, demo: None
) -> None:
    first = datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)
    notice = _new(
        engine,
        clock,
        audience={"buildings": ["1"]},
        publish_at=first,
        recurrence="monthly:1",
        title="物业费缴纳提醒",
    )
    clock.set(first.astimezone(UTC))
    assert _run(engine, clock) == 1
    assert _run(engine, clock) == 0
    count = len(_rows(session))
    session.rollback()
    stored = session.get(Notice, notice.id)
    assert stored is not None and stored.status == NoticeStatus.scheduled
    assert stored.publish_at == datetime(2027, 1, 1, 9, 0, tzinfo=LOCAL_TZ)
    clock.set(datetime(2027, 3, 15, tzinfo=UTC))  # down for two months: one catch-up, not three
    assert _run(engine, clock) == 1
    assert _run(engine, clock) == 0
    assert len(_rows(session)) == 2 * count
    session.rollback()
    assert session.get(Notice, notice.id).publish_at == datetime(2027, 4, 1, 9, 0, tzinfo=LOCAL_TZ)  # type: ignore[union-attr]


def test_next_occurrence_rules() -> None:
    anchor = datetime(2026, 11, 23, 8, 0, tzinfo=LOCAL_TZ)  # a Monday
    after = anchor
    assert next_occurrence("daily", anchor=anchor, after=after) == anchor + timedelta(days=1)
    assert next_occurrence("weekly:mon", anchor=anchor, after=after) == anchor + timedelta(days=7)
    assert next_occurrence("weekly:wed", anchor=anchor, after=after) == anchor + timedelta(days=2)
    assert next_occurrence("monthly:1", anchor=anchor, after=after) == datetime(
        2026, 12, 1, 8, tzinfo=LOCAL_TZ
    )
    assert next_occurrence(
        "monthly:1", anchor=anchor, after=datetime(2026, 12, 20, tzinfo=LOCAL_TZ)
    ) == datetime(2027, 1, 1, 8, tzinfo=LOCAL_TZ)


def test_two_racing_publishers_publish_once(
    engine: Engine, session: Session, clock: ManualClock, demo: None
) -> None:
    _new(engine, clock, audience={"all": True})
    with write(engine) as s, s.begin():
        assert publish_due(s, now=clock.now()) == 1
        assert publish_due(s, now=clock.now()) == 0
    total = session.exec(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "notice")
    ).one()
    assert total == len(_rows(session)) > 0


def test_jobs_follow_the_scheduler_contract() -> None:
    assert set(JOBS) == {
        "publish_due_notices",
        "expire_notices",
        "publish_monthly_ledger",
        "publish_yearly_ledger",
    }
    assert all(isinstance(every, timedelta) and callable(job) for every, job in JOBS.values())
