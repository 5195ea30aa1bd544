"""``hgj serve``'s delivery process writes its figures to a file the web's /metrics adds in."""

from __future__ import annotations

import json
import time
from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from bot.child_metrics import merged, read


def test_the_childs_deliveries_add_to_the_web_processes_and_its_lead_counts(tmp_path: Path) -> None:
    ours = CounterMetricFamily("hgj_deliveries", "pushes", labels=["channel", "outcome"])
    ours.add_metric(["console", "sent"], 2)
    leader = GaugeMetricFamily("hgj_scheduler_leader", "leader", value=0)
    file = tmp_path / "figures.json"
    file.write_text(
        json.dumps(
            {"deliveries": [["console", "sent", 5], ["mp_custom", "dead", 1]], "leader": 1, "at": time.time()}
        )
    )
    out = {metric.name: metric for metric in merged([ours, leader], read(file))}
    sent = {(s.labels["channel"], s.labels["outcome"]): s.value for s in out["hgj_deliveries"].samples}
    assert sent == {("console", "sent"): 7, ("mp_custom", "dead"): 1}
    assert out["hgj_scheduler_leader"].samples[0].value == 1
    assert out["hgj_worker_figures_age_seconds"].samples[0].value < 60


def test_without_a_child_or_its_file_the_figures_are_this_processes_alone(tmp_path: Path) -> None:
    leader = GaugeMetricFamily("hgj_scheduler_leader", "leader", value=1)
    for child in (None, read(None), read(tmp_path / "not-written-yet.json")):
        out = list(merged([leader], child))
        assert [m.name for m in out] == ["hgj_scheduler_leader"] and out[0].samples[0].value == 1
