"""Aggregate figures of a labelled message set, as the classifier and as the policy alarms.

Run from the repository root: ``python bench/alarms.py FILE.tsv [--errors]``. Prints one JSON
object: accuracy, emergency recall and false alarms overall and per style, for the intent
``understand`` gives and for the alarms ``bot.policy.danger`` raises (an emergency or an urgent
待核实 check). Individual messages are printed only with ``--errors`` (lines missed or raised),
which is refused for a sealed set (``SEALED``): its figures are reported, never its lines.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

SEALED = frozenset({"messages-3.tsv", "messages-5.tsv"})


def _figures(rows: list[tuple[str, str, bool]]) -> dict[str, float | int | None]:
    """(gold, predicted intent, policy alarm) rows -> accuracy, recall and false alarms."""
    alarms = [(g, p, a) for g, p, a in rows if g == "emergency"]
    ordinary = [(g, p, a) for g, p, a in rows if g != "emergency"]

    def rate(hits: list[bool]) -> float | None:
        return round(sum(hits) / len(hits), 4) if hits else None

    return {
        "total": len(rows),
        "accuracy": rate([g == p for g, p, _ in rows]),
        "emergency_recall": rate([p == "emergency" for _, p, _ in alarms]),
        "false_alarm_rate": rate([p == "emergency" for _, p, _ in ordinary]),
        "policy_recall": rate([a for _, _, a in alarms]),
        "policy_false_alarm_rate": rate([a for _, _, a in ordinary]),
    }


def main(argv: list[str]) -> int:
    from bot.policy import danger
    from nlp import understand
    from nlp.intent import read_labelled

    show = "--errors" in argv
    paths = [Path(a) for a in argv if a != "--errors"]
    if len(paths) != 1:
        print("usage: python bench/alarms.py FILE.tsv [--errors]", file=sys.stderr)
        return 2
    path = paths[0]
    if show and path.name in SEALED:
        print(f"error: {path.name} is sealed: figures only", file=sys.stderr)
        return 2
    labelled = read_labelled(path)
    rows: list[tuple[str, str, bool, str, str]] = []
    for gold, text, style in labelled:
        nlu = understand(text)
        rows.append((gold, nlu.intent, danger(nlu, text) is not None, style, text))
    out: dict[str, object] = {"file": path.name, **_figures([(g, p, a) for g, p, a, _, _ in rows])}
    styles = sorted({s for *_, s, _ in rows if s})
    out["by_style"] = {s: _figures([(g, p, a) for g, p, a, st, _ in rows if st == s]) for s in styles}
    if show:
        out["missed"] = [[p, st, t] for g, p, a, st, t in rows if g == "emergency" and not a]
        out["raised"] = [[g, p, st, t] for g, p, a, st, t in rows if g != "emergency" and a]
        out["errors"] = [[g, p, st, t] for g, p, a, st, t in rows if g != p]
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
