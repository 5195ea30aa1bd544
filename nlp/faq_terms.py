"""What knowledge-base retrieval compares: folded text turned into a weighted bag of tokens.

A resident and an entry rarely use the same words for a situation (车库 / 车位, 楼顶 / 屋顶,
谁赔 / 谁负责), so both sides go through the same steps:

1. ``fold``: half-width, lower case, then the typo and spelling table of
   ``data/faq_terms.toml`` (无业费 → 物业费, 维休 → 维修, 电瓶车 → 电动车, 咋 → 怎么).
2. ``tokens``: character 1-3-grams within runs of CJK letters and digits, jieba words, and
   one ``("c", concept)`` token for every phrase of the concept table found in the text
   (longest phrase first, no overlaps). Grams made only of function characters (的, 吗, 怎么)
   are dropped, grams with some of them count half, grams across 把 / 被 a fifth.

Everything is deterministic and built once, on first use.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from nlp.numerals import to_halfwidth

__all__ = ["TERMS_PATH", "Terms", "Token", "fold", "terms", "tokens"]

TERMS_PATH = Path(__file__).resolve().parent / "data" / "faq_terms.toml"

Token = tuple[object, str]  # (kind, text): kind 1-3 (n-gram), "w" (word), "c" (concept), "f" (way of asking)

STOP_CHARS = frozenset(
    "的了吗呢啊呀吧么嘛呗哦噢嗯我你您他她它们是在有要想能会可以请问一下怎么样如何什么哪些多少几这那个和与及或就都也还又"
    "给让被把对从到为该需谁咋啥办没不得着过"
)
STOP_WORDS = frozenset(
    {
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
        "一个",
    }
)
# 把 and 被 only glue a sentence together: 「开发商把车位…」 and 「物业把绿地…」 share nothing.
GLUE_CHARS = frozenset("把被")
_RUN = re.compile(r"[0-9a-z\u4e00-\u9fff]+")


class Terms:
    """The typo table and the concept table of ``data/faq_terms.toml``."""

    def __init__(
        self,
        typos: dict[str, str],
        concepts: dict[str, list[str]],
        frames: dict[str, list[str]] | None = None,
    ) -> None:
        self.typos = dict(typos)
        self._typo_re = (
            re.compile("|".join(map(re.escape, sorted(typos, key=len, reverse=True)))) if typos else None
        )
        # folded phrase -> (token kind, concept): "c" for a topic, "f" for a way of asking.
        self.phrases: dict[str, Token] = {}
        for kind, table in (("f", frames or {}), ("c", concepts)):
            for concept, phrases in table.items():
                for phrase in phrases:
                    self.phrases[self.fold(phrase)] = (kind, concept)
        self._longest = max(map(len, self.phrases), default=0)

    @classmethod
    def load(cls, path: Path = TERMS_PATH) -> Terms:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(data.get("typos", {}), data.get("concepts", {}), data.get("frames", {}))

    def fold(self, text: str) -> str:
        text = to_halfwidth(text).lower()
        if self._typo_re is None:
            return text
        for _ in range(3):  # a fixed point: 维休基金 -> 维修基金 -> 维修资金
            folded = self._typo_re.sub(lambda m: self.typos[m.group()], text)
            if folded == text:
                break
            text = folded
        return text

    def concepts(self, folded: str) -> list[Token]:
        """The (kind, concept) pairs named in already folded text, in order (longest phrase wins)."""
        found: list[Token] = []
        i, end, phrases = 0, len(folded), self.phrases
        while i < end:
            for size in range(min(self._longest, end - i), 0, -1):
                concept = phrases.get(folded[i : i + size])
                if concept is not None:
                    found.append(concept)
                    i += size
                    break
            else:
                i += 1
        return found


@cache
def terms() -> Terms:
    """The packaged term tables, loaded once."""
    return Terms.load()


def fold(text: str) -> str:
    """``text`` half-width, lower case, with known typos and spellings replaced."""
    return terms().fold(text)


def _jieba_words(text: str) -> list[str]:
    # The tokenizer the intent classifier uses: one dictionary in memory, with the domain words.
    from nlp.tokenise import cut

    return [w for w in cut(text) if len(w) > 1 and w not in STOP_WORDS]


def tokens(text: str, *, words: bool = True) -> dict[Token, float]:
    """Weighted bag of (kind, token): 1-3 character n-grams, "w" words, "c" topics, "f" ways of asking."""
    table = terms()
    folded = table.fold(text)
    bag: dict[Token, float] = {}
    for run in _RUN.findall(folded):
        # Per character: 0 content, 1 function, 2 glue (glue characters are function characters too).
        kinds = [(ch in STOP_CHARS) + (ch in GLUE_CHARS) for ch in run]
        for n in (1, 2, 3):
            for i in range(len(run) - n + 1):
                span = kinds[i : i + n]
                if 0 not in span:
                    continue
                weight = 0.2 if 2 in span else 0.5 if 1 in span else 1.0
                key = (n, run[i : i + n])
                bag[key] = bag.get(key, 0.0) + weight
        if words and len(run) > 1:
            for word in _jieba_words(run):
                bag[("w", word)] = bag.get(("w", word), 0.0) + 1.0
    for key in table.concepts(folded):
        bag[key] = bag.get(key, 0.0) + 1.0
    return bag
