"""The scheduler runner: discovery, injected time, coalesced catch-up, one leader, persistence."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.outbox import OutboxMessage
from scheduler import runner as runner_module
from scheduler.runner import SchedulerRunner, discover
from tests.support.sample_jobs import reminders

ROOT = Path(__file__).resolve().parents[2]  # the repository

JOBS = discover("tests.support.sample_jobs")


@pytest.fixture
def make_runner(engine: Engine, clock: ManualClock) -> object:
    made: list[SchedulerRunner] = []

    def make(jobs: object = JOBS) -> SchedulerRunner:
        made.append(SchedulerRunner(engine=engine, clock=clock, jobs=jobs))  # type: ignore[arg-type]
        return made[-1]

    made_first = make()
    made_first.jobstore.remove_all_jobs()  # the job table outlives PostgreSQL test truncation
    made.clear()
    made_first.resign()
    yield make
    for each in made:
        each.stop()


def reminder_rows(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    return sorted(row.idempotency_key for row in rows)


def test_discovery_finds_every_modules_jobs() -> None:
    assert set(JOBS) == {"sample_daily_reminder", "sample_broken"}
    assert isinstance(discover(), dict)  # the project's own scheduler/ package


def test_jobs_run_on_the_injected_clock_and_catch_up_once_after_downtime(
    engine: Engine, demo: None, clock: ManualClock, make_runner: object
) -> None:
    runner: SchedulerRunner = make_runner()  # type: ignore[operator]
    reminders.CALLS.clear()
    runner.sync_jobs(clock.now())
    first = runner.tick(clock.now())
    assert first == {"sample_daily_reminder": 1, "sample_broken": 0}
    assert [clock.now()] == reminders.CALLS
    assert runner.tick(clock.now()) == {}  # nothing due again at the same time
    clock.advance(minutes=59)
    assert runner.tick(clock.now()) == {}
    clock.advance(days=3)  # the machine was off for three days: one coalesced run each
    ran = runner.tick(clock.now())
    assert set(ran) == {"sample_daily_reminder", "sample_broken"}
    assert reminders.CALLS[-1] == clock.now() and len(reminders.CALLS) == 2
    assert reminder_rows(engine) == ["sample-reminder:2026-11-23", "sample-reminder:2026-11-26"]


def test_a_failing_job_rolls_back_alone(
    engine: Engine, demo: None, clock: ManualClock, make_runner: object
) -> None:
    runner: SchedulerRunner = make_runner()  # type: ignore[operator]
    runner.sync_jobs(clock.now())
    runner.tick(clock.now())
    with Session(engine) as session:
        keys = session.exec(select(OutboxMessage.idempotency_key)).all()
    assert keys == ["sample-reminder:2026-11-23"]  # the broken job's row was rolled back


def test_exactly_one_runner_is_active_and_another_takes_over(
    engine: Engine, demo: None, clock: ManualClock, make_runner: object
) -> None:
    one: SchedulerRunner = make_runner()  # type: ignore[operator]
    two: SchedulerRunner = make_runner()  # type: ignore[operator]
    assert one.try_lead() and not two.try_lead()
    one.sync_jobs(clock.now())
    assert two.tick(clock.now()) == {}
    assert "sample_daily_reminder" in one.tick(clock.now())
    one.resign()  # the leader stops (or its process dies and its connection closes)
    clock.advance(hours=1)
    assert "sample_daily_reminder" in two.tick(clock.now())
    assert not one.try_lead()
    assert reminder_rows(engine) == ["sample-reminder:2026-11-23"]  # same day: pushed once


def test_a_restart_keeps_the_schedule_in_the_job_store(
    engine: Engine, demo: None, clock: ManualClock, make_runner: object
) -> None:
    before: SchedulerRunner = make_runner()  # type: ignore[operator]
    before.sync_jobs(clock.now())
    before.tick(clock.now())
    before.stop()
    clock.advance(minutes=30)
    after: SchedulerRunner = make_runner()  # type: ignore[operator]
    after.sync_jobs(clock.now())  # restart half-way through the hour: nothing due yet
    assert after.tick(clock.now()) == {}
    clock.advance(minutes=30)
    assert "sample_daily_reminder" in after.tick(clock.now())


def test_started_in_the_background_the_leader_runs_jobs_through_apscheduler(
    engine: Engine, demo: None, clock: ManualClock, make_runner: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = threading.Event()
    original = reminders.daily_reminder

    def reminder_and_signal(session: Session, *, now: object) -> int:
        done = original(session, now=now)  # type: ignore[arg-type]
        ran.set()
        return done

    jobs = {"sample_daily_reminder": (timedelta(hours=1), reminder_and_signal)}
    runner: SchedulerRunner = make_runner(jobs)  # type: ignore[operator]
    clock.set(datetime.now(UTC))  # APScheduler's own loop keeps real time
    runner.start()
    assert ran.wait(timeout=30)  # APScheduler fired the persisted job at once
    assert runner.is_leader and runner.scheduler.running
    assert [job.id for job in runner.jobstore.get_all_jobs()] == ["sample_daily_reminder"]
    runner.stop()
    assert not runner.is_leader and not runner_module._ACTIVE
    assert reminder_rows(engine) == [f"sample-reminder:{clock.now().date().isoformat()}"]


OTHER_PROCESS = """
import sys, time
from bot.clock import SystemClock
from bot.db import create_db_engine
from scheduler.runner import SchedulerRunner
runner = SchedulerRunner(engine=create_db_engine(sys.argv[1]), clock=SystemClock(), jobs={})
print("leader" if runner.try_lead() else "standby", flush=True)
time.sleep(120)  # holds whatever it got until it is killed
"""


def _other_process(engine: Engine) -> tuple[subprocess.Popen[str], str]:
    url = engine.url.render_as_string(hide_password=False)
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, url], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert other.stdout is not None
    return other, other.stdout.readline().strip()


def _kill(other: subprocess.Popen[str]) -> None:
    """kill -9: no chance to resign."""
    if other.poll() is None:
        other.kill()
    other.wait()
    if other.stdout is not None:
        other.stdout.close()


def test_one_leader_across_processes_and_a_killed_leader_is_replaced(
    engine: Engine, clock: ManualClock, make_runner: object
) -> None:
    here: SchedulerRunner = make_runner({})  # type: ignore[operator]
    other, said = _other_process(engine)
    try:
        assert said == "leader" and not here.try_lead()
        _kill(other)
        deadline = time.monotonic() + 15
        while not here.try_lead() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert here.is_leader
    finally:
        _kill(other)
    second, said = _other_process(engine)
    _kill(second)
    assert said == "standby"  # while this process leads, another one does not
