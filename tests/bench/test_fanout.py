"""The fan-out benchmark runs and reports its figures (timing is its job, not the tests')."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fanout_bench_runs_on_a_small_community() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fanout.py"), "--residents", "300"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    figures = json.loads(done.stdout)
    assert figures["outbox_rows"] == 301  # one building group + 300 residents
    assert {"baseline_plain_insert_s", "fanout_enqueue_s"} <= set(figures)
