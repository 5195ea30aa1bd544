"""A roster import whose process is killed half-way does not stay 「running」 for ever.

``hgj residents import`` runs as its own OS process and is killed with ``kill -9`` after its
first chunks; the operation's heartbeat stops, and the scheduler's ``fail_stalled_operations``
marks it failed with how far it got once it has been silent for ten minutes (not before).
Importing the same file again finishes the job: nothing is lost and nothing doubled.
"""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from models.community import Room
from models.operations import Operation, OperationStatus, fail_stalled_operations
from tests.faults.processes import hgj_processes, wait_until, write_config
from tests.faults.test_import_stalls_chat import roster_csv
from tests.support.faketime import real_clock_for_children

ROWS = 12_000  # 24 chunks: killed after the first few


def _operation(engine: Engine) -> Operation | None:
    with Session(engine) as session:
        return session.exec(select(Operation).where(Operation.kind == "residents-import")).first()


def test_a_killed_import_is_marked_failed_and_importing_again_finishes_it(
    engine: Engine, demo: None, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes(roster_csv(ROWS))
    config = write_config(
        tmp_path / "config.toml",
        {
            "database": {"url": engine.url.render_as_string(hide_password=False)},
            "outbox": {"console_only": True},
        },
    )
    with Session(engine) as session:
        rooms_before = session.exec(select(func.count()).select_from(Room)).one()
    command = ["residents", "import", str(roster), "--config", str(config)]
    # The importer runs on the real clock: under libfaketime (make test-future) its time.sleep
    # between chunks fails (see tests/support/faketime.py); only durations matter here.
    with real_clock_for_children(), hgj_processes([command], logs=tmp_path) as (importer,):
        started = wait_until(lambda: (op := _operation(engine)) is not None and op.done >= 1000, timeout=120)
        assert started, importer.output()
        importer.popen.send_signal(signal.SIGKILL)
        importer.popen.wait()

    killed = _operation(engine)
    assert killed is not None and killed.status == OperationStatus.running and killed.done < ROWS
    assert killed.heartbeat_at is not None
    with Session(engine) as session, session.begin():  # still beating as far as anyone knows
        assert fail_stalled_operations(session, now=killed.heartbeat_at + timedelta(minutes=9)) == 0
    with Session(engine) as session, session.begin():
        assert fail_stalled_operations(session, now=killed.heartbeat_at + timedelta(minutes=11)) == 1
    failed = _operation(engine)
    assert failed is not None and failed.status == OperationStatus.failed
    assert f"after {killed.done} of {ROWS}" in failed.detail["error"]

    with real_clock_for_children(), hgj_processes([command], logs=tmp_path, first=1) as (again,):
        assert wait_until(lambda: again.popen.poll() is not None, timeout=300), again.output()
    assert again.popen.returncode == 0, again.output()
    with Session(engine) as session:
        rooms_after = session.exec(select(func.count()).select_from(Room)).one()
        done = session.exec(
            select(Operation).where(
                Operation.kind == "residents-import", Operation.status == OperationStatus.done
            )
        ).all()
    assert len(done) == 1 and done[0].done == ROWS
    assert rooms_after - rooms_before == len(
        {line.rsplit(",", 3)[0] for line in roster_csv(ROWS).decode().splitlines()[1:]}
    )
