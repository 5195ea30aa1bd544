"""微心愿 by the clock, through the real scheduler on the injected clock: a wish nobody claims is
brought up once; a wish done but never confirmed gets one question, then 默认确认 with points once."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.settings import Settings
from models.people import person_by_openid
from models.points import balance
from models.wishes import Wish, WishStatus, approve, claim, fulfil, submit
from scheduler import wishes as wish_jobs
from scheduler.runner import SchedulerRunner
from tests.support.community import pushes_to
from tests.support.wechat import WeChatSim

ELDER = "demo-elder-liu"  # 刘桂芳, 3栋1单元302
SECRETARY = "demo-secretary-zhou"
GAO = "demo-party-gao"  # 高建华, 责任区 3栋
MakeRunner = Callable[..., SchedulerRunner]


@pytest.fixture
def make_runner(engine: Engine, clock: ManualClock) -> Iterator[MakeRunner]:
    made: list[SchedulerRunner] = []

    def make(settings: Settings | None = None) -> SchedulerRunner:
        runner = SchedulerRunner(engine=engine, clock=clock, jobs=wish_jobs.JOBS, settings=settings)
        runner.jobstore.remove_all_jobs()  # the job table outlives PostgreSQL test truncation
        runner.sync_jobs(clock.now())
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop()


def _wish(engine: Engine, clock: ManualClock, *, claimed_by: str = "", done: bool = False) -> int:
    """The elder's wish, approved now; claimed (and reported done) by ``claimed_by`` if given."""
    with Session(engine) as session, session.begin():
        elder = person_by_openid(session, ELDER)
        assert elder is not None
        wish = submit(session, resident=elder, text="想请人帮我换一下厨房的灯泡", now=clock.now())
        assert approve(session, wish=wish, by="周书记", now=clock.now()).ok
        if claimed_by:
            member = person_by_openid(session, claimed_by)
            assert member is not None
            assert claim(session, wish=wish, person=member, now=clock.now()).ok
            if done:
                assert fulfil(session, wish=wish, person=member, note="灯泡换好了", now=clock.now()).ok
        assert wish.id is not None
        return wish.id


def _ticks(runner: SchedulerRunner, clock: ManualClock, *, hours: float) -> dict[str, int]:
    """The runner ticking every half hour for ``hours``; what each job did in total."""
    total: dict[str, int] = {}
    for _ in range(int(hours * 2)):
        clock.advance(minutes=30)
        for name, done in runner.tick(clock.now()).items():
            total[name] = total.get(name, 0) + done
    return total


def _unclaimed_notes(session: Session, who: str) -> list[str]:
    return [t for t in pushes_to(session, who, "wish") if "还没" in t and "认领" in t]


def test_an_unclaimed_wish_is_brought_up_once_to_the_office_and_its_area(
    engine: Engine, demo: None, clock: ManualClock, session: Session, make_runner: MakeRunner
) -> None:
    code = f"W{_wish(engine, clock)}"
    taken = _wish(engine, clock, claimed_by=GAO)
    runner = make_runner()

    assert _ticks(runner, clock, hours=23).get("wishes.remind_unclaimed", 0) == 0
    assert _unclaimed_notes(session, SECRETARY) == []

    _ticks(runner, clock, hours=1.5)
    office = _unclaimed_notes(session, SECRETARY)
    assert len(office) == 1 and code in office[0] and "24 小时" in office[0] and "灯泡" in office[0]
    for member in ("陈红梅", "高建华", "黄志明"):  # the 责任区 of 3栋1单元
        again = _unclaimed_notes(session, member)
        assert len(again) == 1 and f"认领心愿 {code}" in again[0]
    assert _unclaimed_notes(session, "钱卫东") == []  # 1、2栋: not his area
    assert not any(f"W{taken}" in t for t in _unclaimed_notes(session, SECRETARY))

    assert _ticks(runner, clock, hours=48).get("wishes.remind_unclaimed", 0) == 0
    assert len(_unclaimed_notes(session, SECRETARY)) == 1


def test_the_unclaimed_limit_is_a_setting(
    engine: Engine, demo: None, clock: ManualClock, session: Session, make_runner: MakeRunner
) -> None:
    _wish(engine, clock)
    runner = make_runner(Settings(party={"wish_unclaimed_hours": 2}))
    _ticks(runner, clock, hours=2.5)
    assert len(_unclaimed_notes(session, SECRETARY)) == 1


def test_a_silent_resident_is_asked_once_then_the_wish_counts_as_confirmed_with_points_once(
    engine: Engine, demo: None, clock: ManualClock, session: Session, make_runner: MakeRunner
) -> None:
    wish_id = _wish(engine, clock, claimed_by=GAO, done=True)
    gao = person_by_openid(session, GAO)
    assert gao is not None and gao.id is not None
    before = balance(session, person_id=gao.id)
    runner = make_runner()

    _ticks(runner, clock, hours=47)
    assert not [t for t in pushes_to(session, ELDER, "wish") if "收到了吗" in t]
    _ticks(runner, clock, hours=1.5)
    asked = [t for t in pushes_to(session, ELDER, "wish") if "收到了吗" in t]
    assert len(asked) == 1 and f"W{wish_id}" in asked[0] and "高建华" in asked[0] and "3 天内" in asked[0]

    _ticks(runner, clock, hours=71)
    session.rollback()
    assert session.get(Wish, wish_id).status == WishStatus.fulfilled  # type: ignore[union-attr]
    _ticks(runner, clock, hours=1.5)
    session.rollback()
    wish = session.get(Wish, wish_id)
    assert wish is not None and wish.status == WishStatus.confirmed and wish.points == 5
    assert balance(session, person_id=gao.id) == before + 5
    assert any("默认确认" in t and "5 积分" in t for t in pushes_to(session, GAO, "wish"))
    assert any("默认确认" in t for t in pushes_to(session, ELDER, "wish"))

    _ticks(runner, clock, hours=240)
    assert balance(session, person_id=gao.id) == before + 5
    assert len([t for t in pushes_to(session, ELDER, "wish") if "收到了吗" in t]) == 1


def test_after_downtime_the_question_still_comes_a_full_period_before_the_default(
    engine: Engine, demo: None, clock: ManualClock, session: Session, make_runner: MakeRunner
) -> None:
    wish_id = _wish(engine, clock, claimed_by=GAO, done=True)
    runner = make_runner()
    clock.advance(days=10)  # the scheduler was down all along
    assert runner.tick(clock.now()).get("wishes.follow_up_unconfirmed") == 1
    session.rollback()
    assert session.get(Wish, wish_id).status == WishStatus.fulfilled  # type: ignore[union-attr]
    assert len([t for t in pushes_to(session, ELDER, "wish") if "收到了吗" in t]) == 1
    _ticks(runner, clock, hours=72.5)
    session.rollback()
    assert session.get(Wish, wish_id).status == WishStatus.confirmed  # type: ignore[union-attr]


def test_a_resident_who_answers_the_question_is_not_confirmed_for_by_default(
    wechat: WeChatSim,
    engine: Engine,
    demo: None,
    clock: ManualClock,
    session: Session,
    make_runner: MakeRunner,
) -> None:
    wish_id = _wish(engine, clock, claimed_by=GAO, done=True)
    runner = make_runner()
    _ticks(runner, clock, hours=48.5)
    assert "已经告诉高建华" in wechat.send(ELDER, "还没有")
    _ticks(runner, clock, hours=100)  # back with the member: nothing is asked or confirmed
    session.rollback()
    assert session.get(Wish, wish_id).status == WishStatus.claimed  # type: ignore[union-attr]

    assert "请刘桂芳确认" in wechat.send(GAO, "心愿完成了")
    _ticks(runner, clock, hours=48.5)  # a new round: a new question
    assert len([t for t in pushes_to(session, ELDER, "wish") if "收到了吗" in t]) == 2
    wechat.send(ELDER, "收到了 谢谢")
    _ticks(runner, clock, hours=100)
    assert not any("默认确认" in t for t in pushes_to(session, GAO, "wish"))
