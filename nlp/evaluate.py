"""``python -m nlp.evaluate FILE.tsv``: score ``understand()`` on labelled ``intent<TAB>text`` lines.

Prints one JSON object: accuracy, macro_f1, per-intent precision/recall/f1/support, the
confusion pairs (gold, predicted, count; most frequent first), emergency_recall,
false_alarm_rate (messages that are not emergencies taken for one), the share of answers
flagged ambiguous, and ``address_exact_match`` when ``nlp.slots`` provides
``evaluate_addresses``. Lines may carry a third column, the style of writing (voice, typo,
negation, mixed, long, ...): ``by_style`` then gives accuracy, emergency recall and false
alarms for each. Exit status 2 for a missing file or a malformed line (the error names it).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from nlp import understand
from nlp.intent import INTENTS, DataError, read_labelled

__all__ = ["evaluate", "main", "metrics"]

ADDRESSES = Path(__file__).with_name("data") / "addresses.tsv"


def metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, object]:
    """Accuracy, macro-F1 over the intents present in ``gold``, per-intent scores, confusions."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    total = len(gold)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    per_intent: dict[str, dict[str, float | int]] = {}
    for label in INTENTS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        n_gold = sum(g == label for g in gold)
        n_pred = sum(p == label for p in predicted)
        if not n_gold and not n_pred:
            continue
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": n_gold,
        }
    supported = [s for s in per_intent.values() if s["support"]]
    macro_f1 = sum(float(s["f1"]) for s in supported) / len(supported) if supported else 0.0
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    ranked = sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0]))
    emergency = per_intent.get("emergency", {})
    return {
        "total": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "macro_f1": round(macro_f1, 4),
        "emergency_recall": emergency.get("recall") if emergency.get("support") else None,
        "per_intent": per_intent,
        "confusion": [[g, p, n] for (g, p), n in ranked],
    }


def alarm_figures(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float | int | None]:
    """Accuracy, emergency recall and the false-alarm rate of one group of answers."""
    pairs = list(zip(gold, predicted, strict=True))
    emergencies = [p for g, p in pairs if g == "emergency"]
    ordinary = [p for g, p in pairs if g != "emergency"]
    return {
        "total": len(pairs),
        "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else 0.0,
        "emergency_recall": round(emergencies.count("emergency") / len(emergencies), 4)
        if emergencies
        else None,
        "false_alarm_rate": round(ordinary.count("emergency") / len(ordinary), 4) if ordinary else None,
    }


def evaluate(path: str | Path) -> dict[str, object]:
    """Run ``understand`` over every line of ``path`` and return the metrics dict."""
    labelled = read_labelled(path)
    examples = [(label, text) for label, text, _ in labelled]
    answers = [understand(text) for _, text in examples]
    gold, predicted = [g for g, _ in examples], [a.intent for a in answers]
    result = metrics(gold, predicted)
    result["false_alarm_rate"] = alarm_figures(gold, predicted)["false_alarm_rate"]
    styles = sorted({style for _, _, style in labelled if style})
    if styles:
        result["by_style"] = {
            style: alarm_figures(
                [g for g, (_, _, s) in zip(gold, labelled, strict=True) if s == style],
                [p for p, (_, _, s) in zip(predicted, labelled, strict=True) if s == style],
            )
            for style in styles
        }
    result["ambiguous_rate"] = round(sum(a.ambiguous for a in answers) / len(answers), 4) if answers else 0.0
    result["errors"] = [
        {"gold": g, "predicted": a.intent, "text": t}
        for (g, t), a in zip(examples, answers, strict=True)
        if g != a.intent
    ]
    try:
        from nlp.slots import evaluate_addresses
    except ImportError:  # merged later from the slots branch
        pass
    else:
        if ADDRESSES.exists():
            result["address_exact_match"] = evaluate_addresses(ADDRESSES)["address_exact_match"]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; see the module docstring."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m nlp.evaluate FILE.tsv", file=sys.stderr)
        return 2
    path = Path(args[0])
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    try:
        result = evaluate(path)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
