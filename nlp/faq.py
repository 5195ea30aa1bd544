"""Consultation answers retrieved from a replaceable knowledge base of TOML files.

Each file holds `[[entry]]` tables: id, title, questions (other phrasings), answer, source, and
optional keywords. Retrieval is BM25 over character 1-3-grams plus jieba words; an answer is
`confident` only when enough of the question's weight is matched, otherwise the bot should say
it is not sure and offer a person.
"""

from __future__ import annotations

import heapq
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nlp.numerals import to_halfwidth

__all__ = ["DEFAULT_PATH", "Answer", "Entry", "KnowledgeBase", "KnowledgeBaseError", "answer"]

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "knowledge"

_K1 = 1.2
_B = 0.75
# Weight of each token kind: single characters are weak evidence, longer n-grams and words strong.
_WEIGHTS = {1: 0.3, 2: 1.0, 3: 1.2, "w": 1.0}
# Title, questions and keywords count this many times over the answer text.
_QUESTION_BOOST = 2
#: BM25 score at which `Answer.score` (= bm25 / (bm25 + SCORE_HALF)) reaches 0.5, the confidence bar.
SCORE_HALF = 15.0
#: Share of the question's token weight the best entry's title, questions and keywords must match
#: (a match only inside a long answer text is weak evidence; guards long off-topic messages).
CONFIDENT_COVERAGE = 0.10
#: The best entry must beat the runner-up by this factor of BM25 score.
CONFIDENT_MARGIN = 1.03

_STOP_CHARS = set(
    "的了吗呢啊呀吧么嘛呗哦噢嗯我你您他她它们是在有要想能会可以请问一下怎么样如何什么哪些多少几这那个和与及或就都也还又"
    "给让被把对从到为该需谁咋啥办没不得着过"
)
_STOP_WORDS = {
    "怎么办",
    "怎么样",
    "可以",
    "请问",
    "一下",
    "我们",
    "你们",
    "他们",
    "应该",
    "需要",
    "什么",
    "怎么",
    "多少",
    "哪里",
    "有人",
    "没有",
    "为啥",
    "为什么",
    "是不是",
    "能不能",
    "可不可以",
    "要不要",
    "会不会",
    "咋办",
    "一个",
}
_KEEP = re.compile(r"[0-9a-z\u4e00-\u9fff]+")
# Everyday words people use for the same thing, folded before tokenising (both sides).
_SYNONYMS = {
    "犬只": "狗",
    "犬": "狗",
    "煤气": "燃气",
    "抛掷": "扔",
    "抛物": "扔东西",
    "坠落": "掉下来",
    "维修基金": "维修资金",
    "电瓶车": "电动车",
    "急需": "紧急需要",
    "业主委员会": "业委会",
    "物业服务企业": "物业",
    "物业服务人": "物业",
    "物业公司": "物业",
    "丢": "扔",
    "礼拜天": "周末",
    "星期天": "周末",
    "周日": "周末",
    "礼拜六": "周末",
    "星期六": "周末",
    "周六": "周末",
}
_SYNONYM_RE = re.compile("|".join(sorted(_SYNONYMS, key=len, reverse=True)))


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


def _fold(text: str) -> str:
    text = to_halfwidth(text).lower()
    return _SYNONYM_RE.sub(lambda m: _SYNONYMS[m.group()], text)


def _jieba_words(text: str) -> list[str]:
    # The tokenizer the intent classifier uses: one dictionary in memory, with the domain words.
    from nlp.tokenise import cut

    return [w for w in cut(text) if len(w) > 1]


def tokens(text: str, *, words: bool = True) -> dict[tuple[object, str], float]:
    """Weighted bag of (kind, token): character 1-3-grams within runs, plus jieba words.

    Grams made only of function characters (的, 吗, 怎么) are dropped; grams with some are halved.
    """
    bag: dict[tuple[object, str], float] = {}
    for run in _KEEP.findall(_fold(text)):
        for n in (1, 2, 3):
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
                stops = sum(ch in _STOP_CHARS for ch in gram)
                if stops == n:
                    continue
                key = (n, gram)
                bag[key] = bag.get(key, 0.0) + (0.5 if stops else 1.0)
        if words and len(run) > 1:
            for word in _jieba_words(run):
                if word not in _STOP_WORDS:
                    bag[("w", word)] = bag.get(("w", word), 0.0) + 1.0
    return bag


class KnowledgeBase:
    """A BM25 index over knowledge-base entries; build with `KnowledgeBase.load(path)`."""

    def __init__(self, entries: Iterable[Entry], *, use_jieba: bool = True) -> None:
        self.entries: list[Entry] = list(entries)
        self._use_jieba = use_jieba
        # key -> (entry, tf) while building; then (entry, BM25 saturation of tf), computed once.
        self._postings: dict[tuple[object, str], list[tuple[int, float]]] = {}
        # key -> the entries whose title, questions or keywords have it (the evidence of a topic).
        self._in_heads: dict[tuple[object, str], list[int]] = {}
        lengths: list[float] = []
        for index, entry in enumerate(self.entries):
            head = tokens(" ".join((entry.title, *entry.questions, *entry.keywords)), words=use_jieba)
            for key in head:
                self._in_heads.setdefault(key, []).append(index)
            bag = {key: tf * _QUESTION_BOOST for key, tf in head.items()}
            for key, tf in tokens(entry.answer, words=use_jieba).items():
                bag[key] = bag.get(key, 0.0) + tf
            lengths.append(sum(bag.values()))
            for key, tf in bag.items():
                self._postings.setdefault(key, []).append((index, tf))
        count = max(len(self.entries), 1)
        average = sum(lengths) / count if lengths else 1.0
        norm = [_K1 * (1 - _B + _B * length / average) for length in lengths]
        self._idf = {
            key: math.log(1 + (count - len(p) + 0.5) / (len(p) + 0.5)) for key, p in self._postings.items()
        }
        for key, postings in self._postings.items():
            self._postings[key] = [(index, tf * (_K1 + 1) / (tf + norm[index])) for index, tf in postings]
        self._unseen_idf = math.log(1 + (count + 0.5) / 0.5)

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

    def _scores(self, question: str, top: int) -> tuple[list[tuple[float, int]], dict[int, float], float]:
        """The ``top`` best (BM25, entry), each entry's matched head weight, the query's weight."""
        query = tokens(question, words=self._use_jieba)
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        total_weight = 0.0
        for key, qtf in query.items():
            weight = _WEIGHTS[key[0]] * min(qtf, 2) * self._idf.get(key, self._unseen_idf)  # type: ignore[index]
            for index, saturation in self._postings.get(key, ()):
                scores[index] = scores.get(index, 0.0) + weight * saturation
            if key[0] != 1:  # single characters help ranking but are not evidence of a topic
                total_weight += weight
                for index in self._in_heads.get(key, ()):
                    matched[index] = matched.get(index, 0.0) + weight
        ranked = heapq.nlargest(top, ((score, index) for index, score in scores.items()))
        return ranked, matched, total_weight

    def search(self, question: str, k: int = 3) -> list[Answer]:
        """The `k` best entries for `question`, best first (each marked confident or not)."""
        ranked, matched, total_weight = self._scores(question, k + 1)  # the runner-up of the k-th too
        results: list[Answer] = []
        for position, (bm25, index) in enumerate(ranked[:k]):
            entry = self.entries[index]
            score = bm25 / (bm25 + SCORE_HALF)
            coverage = matched.get(index, 0.0) / total_weight if total_weight else 0.0
            runner_up = ranked[position + 1][0] if position + 1 < len(ranked) else 0.0
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
        """The best answer for `question`; `confident` is False when the match is weak or ambiguous."""
        hits = self.search(question, k=1)
        if not hits:
            return Answer("", "", None, 0.0, False)
        return hits[0]

    def get(self, entry_id: str) -> Entry | None:
        return next((entry for entry in self.entries if entry.id == entry_id), None)


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
