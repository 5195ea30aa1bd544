"""Consultation answers retrieved from a replaceable knowledge base of TOML files.

Each file holds `[[entry]]` tables: id, title, questions (the ways residents ask, best written
as situations), answer, source, and optional keywords. Retrieval is BM25 over the tokens of
`nlp.faq_terms` (character 1-3-grams, jieba words, and the concepts and ways of asking of
`data/faq_terms.toml`, so 车库 meets 车位 and 谁赔 meets 谁负责); an entry's title, questions and
keywords count `_QUESTION_BOOST` times over its answer text.

The best entry is `confident` only when its score is high enough, enough of the question is
matched by its title, questions or keywords, and it clearly beats the runner-up; otherwise the
bot should not answer but offer the best titles (「您是不是想问…」) and a person. `Answer.runner_up`
carries the second-best entry for that.
"""

from __future__ import annotations

import heapq
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from nlp.faq_terms import Token, tokens

__all__ = [
    "CONFIDENT_COVERAGE",
    "CONFIDENT_MARGIN",
    "DEFAULT_PATH",
    "SCORE_HALF",
    "SUGGEST_SCORE",
    "Answer",
    "Entry",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "answer",
]

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "knowledge"

_K1 = 1.2
_B = 0.75
# Weight of each token kind: single characters are weak evidence, n-grams and words strong, a
# shared concept (车库 ~ 车位) stronger; a shared way of asking (谁赔 ~ 谁负责) helps a little.
_WEIGHTS: dict[object, float] = {1: 0.3, 2: 1.0, 3: 1.2, "w": 1.0, "c": 3.0, "f": 1.0}
# Kinds that are not evidence of a topic (they rank, but do not count towards coverage).
_NOT_TOPICAL = (1, "f")
# Title, questions and keywords count this many times over the answer text.
_QUESTION_BOOST = 2
#: BM25 score at which `Answer.score` (= bm25 / (bm25 + SCORE_HALF)) reaches 0.5, the confidence bar.
SCORE_HALF = 24.0
#: Share of the question's topical weight the best entry's title, questions and keywords must match.
CONFIDENT_COVERAGE = 0.18
#: The best entry must beat the runner-up by this factor of BM25 score.
CONFIDENT_MARGIN = 1.1
#: Below the confidence bar, entries scoring at least this are worth offering as 「您是不是想问…」.
SUGGEST_SCORE = 0.45


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is missing, unreadable or has a malformed or duplicate entry."""


@dataclass(frozen=True)
class Entry:
    """One question-and-answer with the rule it rests on."""

    id: str
    title: str
    questions: tuple[str, ...]
    answer: str
    source: str
    keywords: tuple[str, ...] = ()
    file: str = ""


@dataclass(frozen=True)
class Answer:
    """The reply for a question; `confident` False means "not sure, offer a person"."""

    text: str
    source: str
    entry_id: str | None
    score: float
    confident: bool
    title: str = ""
    #: The second-best entry (from `KnowledgeBase.answer`), if it is worth offering.
    runner_up: Answer | None = None


class KnowledgeBase:
    """A BM25 index over knowledge-base entries; build with `KnowledgeBase.load(path)`."""

    def __init__(self, entries: Iterable[Entry], *, use_jieba: bool = True) -> None:
        self.entries: list[Entry] = list(entries)
        self._by_id = {entry.id: entry for entry in self.entries}
        self._use_jieba = use_jieba
        bags: list[dict[Token, float]] = []
        heads: dict[Token, list[int]] = {}
        for index, entry in enumerate(self.entries):
            head = tokens(" ".join((entry.title, *entry.questions, *entry.keywords)), words=use_jieba)
            for key in head:
                heads.setdefault(key, []).append(index)
            bag = {key: tf * _QUESTION_BOOST for key, tf in head.items()}
            for key, tf in tokens(entry.answer, words=use_jieba).items():
                bag[key] = bag.get(key, 0.0) + tf
            bags.append(bag)
        count = max(len(self.entries), 1)
        lengths = [sum(bag.values()) for bag in bags]
        average = sum(lengths) / count if lengths else 1.0
        norm = [_K1 * (1 - _B + _B * length / average) for length in lengths]
        frequency: dict[Token, int] = {}
        for bag in bags:
            for key in bag:
                frequency[key] = frequency.get(key, 0) + 1
        # key -> kind weight x idf: what one occurrence in a question is worth.
        self._weight = {
            key: _WEIGHTS[key[0]] * math.log(1 + (count - n + 0.5) / (n + 0.5))
            for key, n in frequency.items()
        }
        self._unseen = {kind: w * math.log(1 + (count + 0.5) / 0.5) for kind, w in _WEIGHTS.items()}
        # key -> (entry, BM25 saturation of its tf), computed once.
        self._postings: dict[Token, list[tuple[int, float]]] = {}
        for index, bag in enumerate(bags):
            for key, tf in bag.items():
                self._postings.setdefault(key, []).append((index, tf * (_K1 + 1) / (tf + norm[index])))
        # Topical key -> the entries whose title, questions or keywords have it (evidence of a topic).
        self._in_heads = {key: tuple(ix) for key, ix in heads.items() if key[0] not in _NOT_TOPICAL}

    @classmethod
    def load(cls, path: Path | str | None = None, *, use_jieba: bool = True) -> KnowledgeBase:
        """Load one .toml file or every .toml in a directory (default: the packaged knowledge base)."""
        root = Path(path) if path is not None else DEFAULT_PATH
        if root.is_dir():
            files = sorted(root.glob("*.toml"))
        elif root.is_file():
            files = [root]
        else:
            raise KnowledgeBaseError(f"{root}: no such knowledge-base file or directory")
        if not files:
            raise KnowledgeBaseError(f"{root}: no .toml files")
        entries: list[Entry] = []
        seen: dict[str, str] = {}
        for file in files:
            for entry in _read_file(file):
                if entry.id in seen:
                    raise KnowledgeBaseError(
                        f"{file.name}: entry {entry.id!r}: duplicate id (also in {seen[entry.id]})"
                    )
                seen[entry.id] = file.name
                entries.append(entry)
        return cls(entries, use_jieba=use_jieba)

    def _scores(self, question: str, top: int) -> tuple[list[tuple[float, int]], list[float], float]:
        """The ``top`` best (BM25, entry), each entry's matched topical weight, the question's."""
        scores = [0.0] * len(self.entries)
        matched = [0.0] * len(self.entries)
        total = 0.0
        weights, postings, in_heads = self._weight, self._postings, self._in_heads
        for key, qtf in tokens(question, words=self._use_jieba).items():
            weight = weights.get(key)
            if weight is None:  # in no entry: it only makes the question's weight larger
                if key[0] not in _NOT_TOPICAL:
                    total += self._unseen[key[0]] * min(qtf, 2.0)
                continue
            if qtf != 1.0:
                weight *= min(qtf, 2.0)
            for index, saturation in postings[key]:
                scores[index] += weight * saturation
            if key[0] not in _NOT_TOPICAL:
                total += weight
                for index in in_heads.get(key, ()):
                    matched[index] += weight
        ranked = heapq.nlargest(top, ((score, index) for index, score in enumerate(scores) if score > 0))
        return ranked, matched, total

    def search(self, question: str, k: int = 3) -> list[Answer]:
        """The `k` best entries for `question`, best first; only the first can be confident."""
        ranked, matched, total = self._scores(question, max(k, 2))
        results: list[Answer] = []
        for position, (bm25, index) in enumerate(ranked[:k]):
            entry = self.entries[index]
            score = bm25 / (bm25 + SCORE_HALF)
            coverage = matched[index] / total if total else 0.0
            runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
            confident = (
                position == 0
                and score >= 0.5
                and coverage >= CONFIDENT_COVERAGE
                and bm25 >= runner_up * CONFIDENT_MARGIN
            )
            results.append(
                Answer(entry.answer, entry.source, entry.id, round(score, 4), confident, entry.title)
            )
        return results

    def answer(self, question: str) -> Answer:
        """The best answer for `question`, with the runner-up worth offering if there is one.

        `confident` is False when the match is weak or too close to the runner-up; the caller
        should then offer the titles of the best and the runner-up rather than answer.
        """
        hits = self.search(question, k=2)
        if not hits:
            return Answer("", "", None, 0.0, False)
        best = hits[0]
        if len(hits) > 1 and hits[1].score >= SUGGEST_SCORE:
            return replace(best, runner_up=hits[1])
        return best

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)


def _text(raw: dict[str, object], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeBaseError(f"{where}: missing or empty {key!r}")
    return value.strip()


def _strings(raw: dict[str, object], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise KnowledgeBaseError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _read_file(file: Path) -> list[Entry]:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeBaseError(f"{file.name}: cannot read knowledge-base file: {exc}") from exc
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list):
        raise KnowledgeBaseError(f"{file.name}: 'entry' must be an array of tables ([[entry]])")
    entries: list[Entry] = []
    for number, raw in enumerate(raw_entries, start=1):
        where = f"{file.name}: entry #{number}"
        if not isinstance(raw, dict):
            raise KnowledgeBaseError(f"{where}: not a table")
        entry_id = _text(raw, "id", where)
        where = f"{file.name}: entry {entry_id!r}"
        entries.append(
            Entry(
                id=entry_id,
                title=_text(raw, "title", where),
                questions=_strings(raw, "questions", where),
                answer=_text(raw, "answer", where),
                source=_text(raw, "source", where),
                keywords=_strings(raw, "keywords", where),
                file=file.name,
            )
        )
    return entries


@cache
def default_kb() -> KnowledgeBase:
    """The packaged knowledge base, loaded and indexed once."""
    return KnowledgeBase.load()


def answer(question: str) -> Answer:
    """Answer `question` from the packaged knowledge base."""
    return default_kb().answer(question)
