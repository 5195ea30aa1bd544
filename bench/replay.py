"""A fixed replay of the realistic workload in this process: SQL statements per message, no timing.

Run: ``.venv/bin/python bench/replay.py [--households 2000] [--messages 600] [--batch 8]
[--profile FILE] [--database-url URL]``

The community of ``bench/webhook.py`` (same generator, seed and traffic) is loaded into a new
SQLite file (or the empty database ``--database-url`` names), then ``--messages`` messages of
the realistic traffic go through the real pipeline (``Pipeline.process_batch``, the webhook's
group commit, in fixed batches of ``--batch``) on a manual clock. Counted: SQL statements sent
to the database, per message and per intent, and the most frequent statements. The counts do
not depend on the machine's load, so a change that adds queries to the hot path shows here even
when wall-clock figures drown in noise. ``--profile FILE`` writes a cProfile of the replay.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event  # noqa: E402

from tests.support.traffic import Traffic, step_xml  # noqa: E402


class StatementCounter:
    """Counts every statement any engine of this process sends (executemany counts once)."""

    def __init__(self) -> None:
        self.total = 0
        self.shapes: Counter[str] = Counter()
        self.active = False

    def __enter__(self) -> StatementCounter:
        event.listen(Engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(Engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.active:
            self.total += 1
            self.shapes[_shape(statement)] += 1


def _shape(statement: str) -> str:
    """A statement without its parameters' positions, cut short: the kind of query it is."""
    text = re.sub(r"\s+", " ", statement).strip()
    text = re.sub(r"\(\?(, \?)*\)|\(%\(\w+\)s(, %\(\w+\)s)*\)", "(…)", text)
    text = re.sub(r"__\[POSTCOMPILE_\w+\]", "…", text)
    return text[:160]


def replay(
    database_url: str, *, households: int, seed: int, messages: int, batch: int, profile: str | None = None
) -> dict[str, Any]:
    """Load the community, replay ``messages`` of its traffic; the statement counts."""
    from sqlmodel import Session

    import models  # noqa: F401
    from bot.app import build_pipeline
    from bot.clock import ManualClock
    from bot.db import create_db_engine
    from bot.demo_generate import generate_community
    from bot.migrate import upgrade
    from bot.settings import load_settings
    from bot.wire import parse_mp
    from models.onboarding import import_community
    from nlp import understand
    from nlp.faq import default_kb
    from tests.support.traffic import open_the_week

    clock = ManualClock()
    settings = load_settings()
    engine = create_db_engine(database_url)
    upgrade(engine)
    community = generate_community(households, seed=seed)
    with Session(engine) as session, session.begin():
        import_community(session, data=community, now=clock.now())
        vote = open_the_week(session, now=clock.now())
    traffic = Traffic(community, seed=seed, tag=f"replay-new-{seed}")
    traffic.proposal = vote
    steps = [pair for lane in traffic.lanes(batch, messages // batch) for pair in lane]
    # Round-robin over the lanes: each batch holds one message of each lane, a resident's in order.
    per_lane = messages // batch
    ordered = [steps[lane * per_lane + i] for i in range(per_lane) for lane in range(batch)]
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    understand("你好"), default_kb()  # built before serving, as the server's warm-up does
    msg_ids = iter(range(7_000_000_000_000_000_001, 8_000_000_000_000_000_000))
    by_intent: Counter[str] = Counter()
    sent: Counter[str] = Counter()
    profiler = cProfile.Profile() if profile else None
    cpu = 0.0
    with StatementCounter() as counter:
        for start in range(0, len(ordered), batch):
            chunk = ordered[start : start + batch]
            clock.advance(timedelta(seconds=20))
            stamp = int(clock.now().timestamp())
            batch_messages = [parse_mp(step_xml(o, s, stamp, next(msg_ids))) for o, s in chunk]
            before = counter.total
            counter.active = True
            started = time.process_time()
            if profiler:
                profiler.enable()
            pipeline.process_batch(batch_messages)
            if profiler:
                profiler.disable()
            cpu += time.process_time() - started
            counter.active = False
            share = (counter.total - before) / len(chunk)
            for _, step in chunk:
                by_intent[step.intent] += share  # type: ignore[assignment]
                sent[step.intent] += 1
    pipeline.close()
    engine.dispose()
    count = len(ordered)
    calls: dict[str, Any] = {}
    if profiler and profile:
        profiler.dump_stats(profile)
        # Function calls are as deterministic as statements and follow CPU work closely.
        calls["python_calls_per_message"] = round(pstats.Stats(profiler).total_calls / count)  # type: ignore[attr-defined]
    return {
        **calls,
        "messages": count,
        "batch": batch,
        "statements": counter.total,
        "statements_per_message": round(counter.total / count, 2),
        # CPU time is not deterministic (a shared machine, caches): a rough guide, not the check.
        "cpu_ms_per_message": round(cpu / count * 1000, 2),
        "per_intent": {k: round(by_intent[k] / sent[k], 1) for k in sorted(sent)},
        "top_statements": counter.shapes.most_common(15),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--profile", help="write a cProfile of the replay to this file")
    parser.add_argument("--database-url", help="an empty database instead of a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/replay.db"
        result = replay(
            url,
            households=args.households,
            seed=args.seed,
            messages=args.messages,
            batch=args.batch,
            profile=args.profile,
        )
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
