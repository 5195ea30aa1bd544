"""Finding 1 of issue 15: two delivery workers in two OS processes, an API that takes 2 s to
answer, and a lease shorter than a batch's sending: every push still arrives exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock, SystemClock
from bot.db import reader
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from models.people import Person, Role
from tests.faults.processes import hgj_processes, wait_until, wechat_sections, write_config
from tests.support.fake_wechat import FakeWeChat

PUSHES = 16
SEND_SECONDS = 2.0  # the fake answers every message call after this long
LEASE_SECONDS = 3  # shorter than sending two of them in a row


def _pushes(engine: Engine) -> list[str]:
    now = SystemClock().now()  # the worker processes' clock (see tests/faults/processes.py)
    keys = []
    with Session(engine) as session, session.begin():
        people = [Person(openid=f"fault-{n}", role=Role.resident, created_at=now) for n in range(PUSHES)]
        session.add_all(people)
        session.flush()
        for n, person in enumerate(people):
            keys.append(f"fault-notice:{n}")
            enqueue(
                session,
                idempotency_key=keys[-1],
                text=f"停水通知 {n}",
                now=now,
                kind="notice",
                person_id=person.id,
            )
    return keys


def _unsent(engine: Engine, keys: list[str]) -> int:
    with Session(reader(engine)) as session:
        rows = session.exec(
            select(OutboxMessage.status).where(col(OutboxMessage.idempotency_key).in_(keys))
        ).all()
    return sum(status != OutboxStatus.sent for status in rows)


def test_two_worker_processes_and_a_slow_api_deliver_every_push_once(
    engine: Engine, clock: ManualClock, tmp_path: Path
) -> None:
    fake = FakeWeChat(clock=clock).start()
    fake.delay_seconds = SEND_SECONDS
    try:
        config = write_config(
            tmp_path / "config.toml",
            {
                "database": {"url": engine.url.render_as_string(hide_password=False)},
                **wechat_sections(fake.mp_base, fake.qy_base),
                "outbox": {
                    "poll_seconds": 0.2,
                    "lease_seconds": LEASE_SECONDS,
                    "http_timeout_seconds": 2.5,
                    "person_per_minute": 100,
                },
            },
        )
        keys = _pushes(engine)
        worker = ["worker", "--config", str(config), "--threads", "2"]
        with hgj_processes([worker, worker], logs=tmp_path) as workers:
            done = wait_until(lambda: _unsent(engine, keys) == 0, timeout=30)
            wait_until(fake.idle, timeout=10)
        logs = "\n".join(w.output()[-4000:] for w in workers)
        times = Counter(d.key for d in fake.delivered())
        twice = {key: n for key, n in times.items() if n > 1}
        assert twice == {}, f"{sum(times.values())} deliveries of {len(keys)} pushes\n{logs}"
        assert done, f"not every push was sent in time\n{logs}"
        assert sorted(times) == sorted(keys)
    finally:
        fake.stop()
