"""The delivery process's figures on the web process's ``/metrics``.

Under ``hgj serve`` delivery and the scheduler run in a child ``hgj worker`` (``bot.delivery_process``),
which serves no HTTP. The child writes its counters to a small JSON file every few seconds (and
when it stops); the web process's ``/metrics`` adds them to its own: ``hgj_deliveries_total`` is
the sum of both processes' (the child's restart starts its share over, which Prometheus reads as
a counter reset), ``hgj_scheduler_leader`` is 1 if either leads, and ``hgj_worker_figures_age_seconds``
says how old the child's figures are (a stuck or dead child shows as a growing age).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

WRITE_EVERY = 5.0  # seconds


def figures() -> dict[str, Any]:
    """This process's delivery counters and scheduler role, as the file holds them."""
    from bot.metrics import DELIVERIES
    from scheduler.runner import scheduler_role

    deliveries = []
    for metric in DELIVERIES.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                deliveries.append([sample.labels["channel"], sample.labels["outcome"], sample.value])
    return {"deliveries": deliveries, "leader": int(scheduler_role() == "leader"), "at": time.time()}


def write(path: Path) -> None:
    """Replace the file at once (written aside, then renamed): a reader never sees half of it."""
    aside = path.with_suffix(".tmp")
    aside.write_text(json.dumps(figures()), encoding="utf-8")
    os.replace(aside, path)


class Writer:
    """In the child: the file, every ``WRITE_EVERY`` seconds and once more at ``stop``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hgj-metrics-file", daemon=True)

    def start(self) -> Writer:
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            try:
                write(self.path)
            except OSError as exc:
                log.warning("could not write the worker's figures to %s: %s", self.path, exc)
            if self._stop.wait(WRITE_EVERY):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            write(self.path)


def read(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None  # not written yet, or the child is being restarted


def merged(metrics: Iterable[Metric], child: dict[str, Any] | None) -> Iterator[Metric]:
    """This process's ``metrics`` with the child's figures added in."""
    if child is None:
        yield from metrics
        return
    theirs = {(channel, outcome): value for channel, outcome, value in child.get("deliveries", [])}
    for metric in metrics:
        if metric.name == "hgj_deliveries":
            ours = {}
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    ours[(sample.labels["channel"], sample.labels["outcome"])] = sample.value
            metric.samples = []
            for channel, outcome in sorted({*theirs, *ours}):
                total = ours.get((channel, outcome), 0.0) + theirs.get((channel, outcome), 0.0)
                metric.add_sample("hgj_deliveries_total", {"channel": channel, "outcome": outcome}, total)
        elif metric.name == "hgj_scheduler_leader" and metric.samples:
            sample = metric.samples[0]
            metric.samples = [sample._replace(value=max(sample.value, float(child.get("leader", 0))))]
        yield metric
    age = GaugeMetricFamily(
        "hgj_worker_figures_age_seconds", "Age of the delivery process's latest figures (hgj serve)"
    )
    age.add_metric([], max(0.0, time.time() - float(child.get("at", 0))))
    yield age


class WithChild(Collector):
    """Wraps the app's collectors, adding the figures of ``hgj serve``'s delivery process."""

    def __init__(self, inner: Collector) -> None:
        self.inner = inner

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        from bot.delivery_process import metrics_file

        yield from merged(self.inner.collect(), read(metrics_file()))
