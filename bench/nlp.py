"""Benchmark for nlp/: cold start, per-message latency and memory, each next to a baseline.

Run from the repository root: ``python bench/nlp.py``.  Prints one JSON object per line:

- cold_start: fresh interpreter, ``import nlp`` to the first ``understand()`` answer
  (target < 1.5 s); baseline: a fresh interpreter that only starts and exits.
- latency: median and p99 of ``understand()`` over the held-out messages (target median
  < 1 ms); baseline: a bare keyword lookup over the same messages.
- memory: RSS and tracemalloc growth from loading nlp and answering (target < 150 MB);
  baseline: the interpreter's RSS before loading nlp.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "nlp" / "data" / "heldout.tsv"
RUNS = 5
# Run as a script, this file's directory comes first on sys.path and would shadow the package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _fresh(code: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start


def _emit(name: str, **fields: object) -> None:
    print(json.dumps({"bench": name, **fields}, ensure_ascii=False))


def cold_start() -> None:
    probe = (
        "import time; t = time.perf_counter(); import nlp; nlp.understand('3栋电梯坏了'); "
        "print(time.perf_counter() - t)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    inner = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, check=True, capture_output=True
        )
        inner.append(float(out.stdout.decode().strip()))
    whole = [_fresh("import nlp; nlp.understand('3栋电梯坏了')") for _ in range(RUNS)]
    bare = [_fresh("pass") for _ in range(RUNS)]
    _emit(
        "cold_start",
        import_to_first_answer_s=round(statistics.median(inner), 3),
        process_total_s=round(statistics.median(whole), 3),
        baseline_python_startup_s=round(statistics.median(bare), 3),
        target_s=1.5,
        ok=statistics.median(inner) < 1.5,
    )


def warm() -> None:
    texts = [
        line.split("\t", 1)[1].strip()
        for line in HELDOUT.read_text(encoding="utf-8").splitlines()
        if "\t" in line
    ]
    rss0 = _rss_mb()
    tracemalloc.start()
    import nlp

    assert nlp.__file__ and Path(nlp.__file__).parent == ROOT / "nlp", nlp.__file__
    nlp.understand(texts[0])
    _, peak = tracemalloc.get_traced_memory()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = _rss_mb()

    samples = []
    for _ in range(3):
        for text in texts:
            t = time.perf_counter_ns()
            nlp.understand(text)
            samples.append((time.perf_counter_ns() - t) / 1e6)
    samples.sort()
    keywords = {"坏": "repair", "吵": "dispute", "报名": "volunteer", "积分": "points", "着火": "emergency"}
    base = []
    for _ in range(3):
        for text in texts:
            t = time.perf_counter_ns()
            next((v for k, v in keywords.items() if k in text), "unknown")
            base.append((time.perf_counter_ns() - t) / 1e6)
    base.sort()
    median = statistics.median(samples)
    _emit(
        "latency",
        messages=len(samples),
        median_ms=round(median, 4),
        p99_ms=round(samples[int(len(samples) * 0.99) - 1], 4),
        baseline_keyword_median_ms=round(statistics.median(base), 4),
        target_median_ms=1.0,
        ok=median < 1.0,
    )
    _emit(
        "memory",
        rss_added_mb=round(rss1 - rss0, 1),
        tracemalloc_retained_mb=round(current / 2**20, 1),
        tracemalloc_peak_mb=round(peak / 2**20, 1),
        baseline_rss_before_mb=round(rss0, 1),
        target_mb=150,
        ok=rss1 - rss0 < 150,
    )


if __name__ == "__main__":
    cold_start()
    warm()
