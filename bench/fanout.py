"""Fan-out benchmark: one notice to N residents, enqueued as outbox rows, on SQLite.

Run: ``.venv/bin/python bench/fanout.py [--residents 10000] [--url sqlite:////tmp/x.db]``

Builds a migrated database with one building and N bound residents, then times, in the
same run and on the same database: (1) the baseline, N plain rows inserted into a scratch
table with one executemany; (2) the publication of one notice to all N residents through
``publish_due`` (compare-and-set, audience and mute resolution, N+1 outbox rows, the operation
record), in one transaction. Then (3) drains the outbox through the real delivery worker into
a local fake of WeChat's API, on a simulated clock stepped one second at a time, and reports the
drain rate reached against the configured per-channel rate (``[outbox] channel_per_minute``)
and how long the worker itself took. Prints JSON with the figures and the ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bot.db import create_db_engine  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from models.community import Building, Community, Room  # noqa: E402
from models.notices import create_notice, publish_due  # noqa: E402
from models.outbox import OutboxMessage  # noqa: E402
from models.people import Person, Role  # noqa: E402

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def populate(engine, residents: int) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session, session.begin():
        community = Community(name="基准社区")
        session.add(community)
        session.flush()
        building = Building(community_id=community.id, number="1")  # type: ignore[arg-type]
        session.add(building)
        session.flush()
        rooms = [
            {"building_id": building.id, "unit": "1", "room": str(i), "area": 90.0} for i in range(residents)
        ]
        session.execute(insert(Room), rooms)
        room_ids = session.execute(select(Room.id).order_by(Room.id)).scalars().all()  # type: ignore[arg-type]
        people = [
            {
                "openid": f"bench-{i}",
                "name": "",
                "role": Role.resident,
                "phone": "",
                "room_id": room_id,
                "is_owner": True,
                "skills": [],
                "subscribed": True,
                "created_at": NOW,
            }
            for i, room_id in enumerate(room_ids)
        ]
        session.execute(insert(Person), people)


def baseline(engine, residents: int) -> float:  # type: ignore[no-untyped-def]
    scratch = Table(
        "bench_plain", MetaData(), Column("id", Integer, primary_key=True), Column("key", String(200))
    )
    scratch.create(engine)
    rows = [{"key": f"plain:{i}"} for i in range(residents + 1)]
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(scratch), rows)
    return time.perf_counter() - started


def fan_out(engine) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session, session.begin():
        create_notice(
            session, title="停水通知", body="明天9点到12点停水，请提前储水。", audience={"all": True}, now=NOW
        )
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        published = publish_due(session, now=NOW)
    elapsed = time.perf_counter() - started
    assert published == 1
    with Session(engine) as session:
        rows = session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
    return elapsed, rows


def drain(engine, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Deliver every pending row to a local fake WeChat; the clock advances a second per pass."""
    import logging

    import httpx

    logging.disable(logging.WARNING)  # a bench prints its figures, not the worker's log
    from bot.clock import ManualClock
    from bot.outbound.worker import DeliveryWorker
    from bot.settings import load_settings
    from tests.support.fake_wechat import FakeWeChat
    from tests.support.outbox import next_due

    clock = ManualClock(NOW)
    fake = FakeWeChat(clock=clock).start()
    settings = load_settings(
        None,
        database={"url": url},
        wechat={
            "api_base_url": fake.mp_base,
            "templates": {"default": "TPL-NOTICE"},
            "app_id": "wxbench",
            "app_secret": "bench",
        },
        wecom={"api_base_url": fake.qy_base},
    )
    with Session(engine) as session, session.begin():
        for building in session.exec(select(Building)).all():  # type: ignore[call-overload]
            building[0].group_webhook = f"{fake.qy_base}/cgi-bin/webhook/send?key=BENCH-{building[0].number}"
    pending = len(fake.delivered())
    started, simulated = time.perf_counter(), 0
    try:
        with httpx.Client(timeout=10) as client:
            worker = DeliveryWorker(
                engine=engine, settings=settings, clock=clock, client=client, name="bench"
            )
            while next_due(engine)[0] and simulated < 24 * 3600:
                worker.drain()
                clock.advance(seconds=1)
                simulated += 1
    finally:
        fake.stop()
    with Session(engine) as session:
        dead = session.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "dead")
        ).scalar_one()
    configured = settings.outbox.channel_per_minute.get("mp_template", 0) / 60
    delivered = len(fake.delivered()) - pending
    return {
        "drained_rows": delivered,
        "dead_letters": dead,
        "drain_simulated_s": simulated,
        "drain_rate_per_s": round(delivered / simulated, 2) if simulated else 0.0,
        "configured_template_rate_per_s": round(configured, 2),
        "drain_wall_s": round(time.perf_counter() - started, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--url", default="", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--no-drain", action="store_true", help="only time the enqueue")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/fanout.db"
        engine = create_db_engine(url)
        upgrade(engine)
        populate(engine, args.residents)
        plain = baseline(engine, args.residents)
        elapsed, rows = fan_out(engine)
        drained = {} if args.no_drain else drain(engine, url)
        engine.dispose()
    print(
        json.dumps(
            {
                "backend": url.split(":", 1)[0],
                "residents": args.residents,
                "outbox_rows": rows,
                "baseline_plain_insert_s": round(plain, 3),
                "fanout_enqueue_s": round(elapsed, 3),
                "ratio_fanout_over_baseline": round(elapsed / plain, 1) if plain else None,
                "target_s": 2.0,
                "met": elapsed < 2.0,
                **drained,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
