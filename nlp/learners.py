"""The two small learners behind the intent classifier, in pure Python and deterministic.

- ``NaiveBayes``: multinomial naive Bayes over binary feature occurrences, uniform priors;
  its score is the mean per-feature log-likelihood, so long and short messages are comparable.
- ``AveragedPerceptron``: a multiclass margin perceptron (Crammer-Singer style updates
  against the best wrong class) with weight averaging and a fixed shuffling seed.

Both take examples as ``(label, features)`` pairs and return ``{label: probability}``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

__all__ = ["AveragedPerceptron", "NaiveBayes", "softmax"]


def softmax(scores: dict[str, float]) -> dict[str, float]:
    """Normalise raw scores into probabilities (numerically stable)."""
    top = max(scores.values())
    exp = {label: math.exp(s - top) for label, s in scores.items()}
    z = sum(exp.values())
    return {label: e / z for label, e in exp.items()}


def scaled_softmax(scores: Sequence[float], scale: float) -> list[float]:
    """``softmax`` of ``scale * score`` over a list (same arithmetic, no dict)."""
    scaled = [scale * score for score in scores]
    top = max(scaled)
    exp = [math.exp(s - top) for s in scaled]
    z = sum(exp)
    return [e / z for e in exp]


def _column_sums(labels: Sequence[str], rows: Sequence[Sequence[float]], scale: float) -> dict[str, float]:
    """Per label, ``scale`` times the sum of its column over ``rows`` (one row per feature)."""
    return {label: scale * sum(column) for label, column in zip(labels, zip(*rows, strict=True), strict=True)}


class NaiveBayes:
    """Multinomial NB; ``sharpness`` scales the mean log-likelihood before the softmax."""

    def __init__(
        self,
        labels: Sequence[str],
        examples: Sequence[tuple[str, Sequence[str]]],
        *,
        alpha: float = 0.1,
        sharpness: float = 6.0,
    ) -> None:
        counts: dict[str, Counter[str]] = {label: Counter() for label in labels}
        for label, feats in examples:
            counts[label].update(feats)
        self.labels = tuple(label for label in labels if counts[label])
        self.sharpness = sharpness
        vocab = {f for c in counts.values() for f in c}
        v = len(vocab)
        self._loglik: dict[str, dict[str, float]] = {}
        self._unseen: dict[str, float] = {}
        for label in self.labels:
            total = sum(counts[label].values()) + alpha * v
            self._loglik[label] = {f: math.log((n + alpha) / total) for f, n in counts[label].items()}
            self._unseen[label] = math.log(alpha / total)
        # One row of log-likelihoods per feature, a column per label: scoring sums columns.
        self.unseen_row = tuple(self._unseen[label] for label in self.labels)
        self.rows = {
            f: tuple(self._loglik[label].get(f, self._unseen[label]) for label in self.labels) for f in vocab
        }

    def probabilities(self, known: Sequence[str]) -> dict[str, float]:
        """Class probabilities for features already filtered to the training vocabulary."""
        if not known:
            return {label: 1.0 / len(self.labels) for label in self.labels}
        scale = self.sharpness / len(known)
        rows = [self.rows.get(f, self.unseen_row) for f in known]
        return softmax(_column_sums(self.labels, rows, scale))


class AveragedPerceptron:
    """Multiclass averaged margin perceptron over binary features scaled by 1/sqrt(n)."""

    def __init__(
        self,
        labels: Sequence[str],
        examples: Sequence[tuple[str, Sequence[str]]],
        *,
        epochs: int = 5,
        margin: float = 1.0,
        temperature: float = 3.0,
        seed: int = 0,
    ) -> None:
        self.labels = tuple(labels)
        self.temperature = temperature
        self.index: dict[str, int] = {}
        docs: list[tuple[int, list[int], float]] = []
        for label, feats in examples:
            ids = [self.index.setdefault(f, len(self.index)) for f in feats]
            if ids:
                docs.append((self.labels.index(label), ids, 1.0 / math.sqrt(len(ids))))
        n_classes, n_feats = len(self.labels), len(self.index)
        w = [[0.0] * n_feats for _ in range(n_classes)]
        acc = [[0.0] * n_feats for _ in range(n_classes)]  # sum of step * update, for averaging
        step = 1
        rng = random.Random(seed)
        for _ in range(epochs):
            rng.shuffle(docs)
            for gold, ids, v in docs:
                scores = [sum(map(wc.__getitem__, ids)) * v for wc in w]
                gold_score = scores[gold]
                scores[gold] = -math.inf
                rival = max(range(n_classes), key=scores.__getitem__)
                if gold_score - scores[rival] < margin:
                    wg, wr, ag, ar = w[gold], w[rival], acc[gold], acc[rival]
                    sv = step * v
                    for f in ids:
                        wg[f] += v
                        wr[f] -= v
                        ag[f] += sv
                        ar[f] -= sv
                step += 1
        weights = [
            [wi - ai / step for wi, ai in zip(wc, ac, strict=True)] for wc, ac in zip(w, acc, strict=True)
        ]
        # One row of weights per feature, a column per label: scoring sums columns.
        self.rows = {f: tuple(wc[i] for wc in weights) for f, i in self.index.items()}

    def probabilities(self, known: Sequence[str]) -> dict[str, float]:
        """Class probabilities for features already filtered to the training vocabulary."""
        rows = [self.rows[f] for f in known if f in self.rows]
        if not rows:
            return {label: 1.0 / len(self.labels) for label in self.labels}
        scale = self.temperature / math.sqrt(len(rows))
        return softmax(_column_sums(self.labels, rows, scale))
