"""python -m nlp.evaluate: output shape, line-numbered errors, missing file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nlp.evaluate import metrics

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nlp.evaluate", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_cli_prints_metrics_json(tmp_path: Path) -> None:
    data = tmp_path / "small.tsv"
    data.write_text(
        "repair\t厨房水管爆了\n# comment\n\nemergency\t着火了\ngreeting\t你好\n", encoding="utf-8"
    )
    proc = _run(str(data))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["total"] == 3
    assert 0.0 <= out["accuracy"] <= 1.0
    assert 0.0 <= out["macro_f1"] <= 1.0
    assert out["emergency_recall"] == 1.0
    assert set(out["per_intent"]["repair"]) == {"precision", "recall", "f1", "support"}
    assert isinstance(out["confusion"], list)


def test_cli_bad_line_names_line_number(tmp_path: Path) -> None:
    data = tmp_path / "bad.tsv"
    data.write_text("repair\t灯坏了\nthis line has no tab\n", encoding="utf-8")
    proc = _run(str(data))
    assert proc.returncode != 0
    assert ":2:" in proc.stderr


def test_cli_unknown_intent_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "bad.tsv"
    data.write_text("repiar\t灯坏了\n", encoding="utf-8")
    proc = _run(str(data))
    assert proc.returncode != 0
    assert "repiar" in proc.stderr and ":1:" in proc.stderr


def test_cli_missing_file_fails(tmp_path: Path) -> None:
    proc = _run(str(tmp_path / "nope.tsv"))
    assert proc.returncode != 0
    assert "nope.tsv" in proc.stderr


def test_metrics_confusion_pairs_most_frequent_first() -> None:
    gold = ["repair", "repair", "repair", "dispute", "vote"]
    pred = ["dispute", "dispute", "repair", "repair", "vote"]
    out = metrics(gold, pred)
    assert out["confusion"] == [["repair", "dispute", 2], ["dispute", "repair", 1]]
    assert out["accuracy"] == 0.4
    assert out["per_intent"]["vote"]["f1"] == 1.0
    assert out["emergency_recall"] is None


def test_main_module_prints_json() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nlp", "电梯坏了"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    out = json.loads(proc.stdout)
    assert out["intent"] == "repair"
    assert "电梯" not in proc.stdout or "\\u" not in proc.stdout
