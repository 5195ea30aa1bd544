"""Intent classifier over jieba words and character 1-3 grams.

An even mix of naive Bayes and an averaged perceptron (see ``nlp.learners``), trained in
pure Python on first use from ``data/train.tsv`` plus every ``data/train/*.tsv`` (one file
per writing style, read in sorted order so training is deterministic).
Both turn their scores into probabilities scaled by message length, so ``confidence`` means
roughly the same for short and long messages.  Two thresholds turn a
weak or close call into ``unknown`` or an ``ambiguous`` flag instead of a wrong guess:

- top probability < ``SCORE_THRESHOLD``                 -> intent ``unknown``
- top - runner-up < ``MARGIN_THRESHOLD``                -> keep the top intent, ``ambiguous``

Messages whose features are mostly unseen in training (gibberish, foreign text) are also
``unknown``.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.learners import AveragedPerceptron, NaiveBayes, scaled_softmax
from nlp.tokenise import cut

__all__ = [
    "INTENTS",
    "MARGIN_THRESHOLD",
    "RULE_INTENTS",
    "SCORE_THRESHOLD",
    "Classifier",
    "DataError",
    "Prediction",
    "classifier",
    "features",
    "read_examples",
    "read_labelled",
    "read_training",
    "training_files",
]

INTENTS: tuple[str, ...] = (
    "repair",
    "dispute",
    "volunteer",
    "points",
    "consult",
    "progress",
    "notice",
    "emergency",
    "handoff",
    "greeting",
    "vote",
    "wish",
    "unknown",
)
# Labels recognised by their words, not learnt (no training lines): ``nlp.wishes``.
RULE_INTENTS: tuple[str, ...] = ("wish",)
TRAIN_FILE = Path(__file__).with_name("data") / "train.tsv"
TRAIN_DIR = Path(__file__).with_name("data") / "train"

SCORE_THRESHOLD = 0.40
MARGIN_THRESHOLD = 0.20
MIN_COVERAGE = 0.35  # share of a message's features seen in training

_DIGITS = re.compile(r"\d+")
_SEGMENTS = re.compile(r"[^\w]+|_+")


class DataError(ValueError):
    """A malformed line in an ``intent<TAB>text`` file (message names file and line)."""


@dataclass(frozen=True)
class Prediction:
    """Classifier output: best label after thresholds, the ranked distribution, flags."""

    intent: str
    confidence: float
    candidates: tuple[tuple[str, float], ...]
    ambiguous: bool


def features(text: str) -> list[str]:
    """Feature strings for normalised ``text``: ``w:`` jieba words and ``c:`` char 1-3 grams.

    Digit runs collapse to ``0`` so that 「3栋502」 and 「12栋1101」 look alike.
    """
    folded = _DIGITS.sub("0", text)
    feats = {"w:" + w for w in cut(folded) if w.strip() and not _SEGMENTS.fullmatch(w)}
    for seg in _SEGMENTS.split(folded):
        n = len(seg)
        for size in (1, 2, 3):
            for i in range(n - size + 1):
                feats.add("c:" + seg[i : i + size])
    return sorted(feats)


def read_labelled(path: str | Path) -> list[tuple[str, str, str]]:
    """Read ``intent<TAB>text[<TAB>style]`` lines as (intent, text, style); style is "" when absent.

    Blank lines and ``#`` comments are skipped. Raises FileNotFoundError for a missing file and
    DataError naming the line for bad lines.
    """
    p = Path(path)
    out: list[tuple[str, str, str]] = []
    with p.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            label, sep, rest = line.partition("\t")
            text, _, style = rest.partition("\t")
            label = label.strip()
            if not sep or not text.strip():
                raise DataError(f"{p}:{lineno}: expected 'intent<TAB>text', got {line[:40]!r}")
            if label not in INTENTS:
                expected = ", ".join(INTENTS)
                raise DataError(f"{p}:{lineno}: unknown intent {label!r} (expected one of {expected})")
            out.append((label, text.strip(), style.strip()))
    return out


def read_examples(path: str | Path) -> list[tuple[str, str]]:
    """Read ``intent<TAB>text`` lines (a third ``style`` column is allowed and ignored)."""
    return [(label, text) for label, text, _ in read_labelled(path)]


def training_files() -> list[Path]:
    """``data/train.tsv`` then every ``data/train/*.tsv`` in sorted order."""
    return [TRAIN_FILE, *sorted(TRAIN_DIR.glob("*.tsv"))]


def read_training() -> list[tuple[str, str]]:
    """All training examples, file by file in ``training_files()`` order."""
    return [example for path in training_files() for example in read_examples(path)]


class Classifier:
    """Ensemble of naive Bayes and an averaged perceptron, with coverage/score/margin thresholds."""

    def __init__(
        self, examples: Iterable[tuple[str, str]] = (), *, parts: dict[str, Any] | None = None
    ) -> None:
        if parts is not None:  # a model trained at build time (nlp.model_store)
            self.labels: tuple[str, ...] = parts["labels"]
            self._sharpness, self._temperature = parts["sharpness"], parts["temperature"]
            self._rows: dict[str, Sequence[float]] = parts["rows"]
            return
        from nlp.normalise import normalise

        data = [(label, features(normalise(text, mend=False))) for label, text in examples]
        vocab = {f for _, feats in data for f in feats}
        self.labels = tuple(label for label in INTENTS if any(y == label for y, _ in data))
        nb = NaiveBayes(self.labels, data)
        ap = AveragedPerceptron(self.labels, data)
        # Both models' rows side by side, so one pass over a message's features scores both
        # (the same sums, in the same order, as each model's own ``probabilities``).
        assert nb.labels == self.labels == ap.labels
        self._sharpness, self._temperature = nb.sharpness, ap.temperature
        self._rows = {f: nb.rows[f] + ap.rows[f] for f in vocab}

    def parts(self) -> dict[str, Any]:
        """What ``nlp.model_store`` saves: enough to rebuild this classifier without training."""
        return {
            "labels": self.labels,
            "sharpness": self._sharpness,
            "temperature": self._temperature,
            "rows": self._rows,
        }

    def distribution(self, feats: Sequence[str]) -> tuple[list[tuple[str, float]], float]:
        """Ranked (label, probability) pairs and the share of ``feats`` seen in training."""
        rows = [row for f in feats if (row := self._rows.get(f)) is not None]
        coverage = len(rows) / len(feats) if feats else 0.0
        n = len(self.labels)
        if rows:
            sums = [sum(column) for column in zip(*rows, strict=True)]
            p_nb = scaled_softmax(sums[:n], self._sharpness / len(rows))
            p_ap = scaled_softmax(sums[n:], self._temperature / math.sqrt(len(rows)))
            mixed = [(a + b) / 2 for a, b in zip(p_nb, p_ap, strict=True)]
        else:
            mixed = [1.0 / n] * n
        return sorted(zip(self.labels, mixed, strict=True), key=lambda kv: (-kv[1], kv[0])), coverage

    def predict(self, text: str) -> Prediction:
        """Classify normalised ``text`` applying the coverage, score and margin thresholds."""
        ranked, coverage = self.distribution(features(text))
        candidates = tuple((label, round(p, 4)) for label, p in ranked[:3])
        best, p1 = ranked[0]
        p2 = ranked[1][1] if len(ranked) > 1 else 0.0
        if coverage < MIN_COVERAGE or p1 < SCORE_THRESHOLD:
            p_unknown = dict(ranked).get("unknown", 0.0)
            return Prediction("unknown", round(p_unknown, 4), candidates, False)
        return Prediction(best, round(p1, 4), candidates, best != "unknown" and p1 - p2 < MARGIN_THRESHOLD)


_lock = threading.Lock()
_model: Classifier | None = None


def classifier() -> Classifier:
    """The shared classifier (thread-safe): the build-time model when it is current, else trained
    from ``read_training()`` on first call."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from nlp.model_store import load

                parts = load()
                _model = Classifier(parts=parts) if parts is not None else Classifier(read_training())
    return _model
