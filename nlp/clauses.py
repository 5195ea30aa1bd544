"""Two requests in one message: split into clauses, rank what each asks by precedence.

「电梯坏了，顺便问一下物业费怎么交」 is a repair and a question. The message is handled as the
more pressing one (emergency > dispute > repair > progress > consult > the rest > greeting) and
the other is handed back as ``also`` so the reply can acknowledge it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PRECEDENCE: tuple[str, ...] = (
    "emergency",
    "dispute",
    "repair",
    "progress",
    "consult",
    "notice",
    "volunteer",
    "wish",
    "points",
    "vote",
    "handoff",
    "greeting",
    "unknown",
)
CLAUSE_CONFIDENCE = 0.8
_SPLIT = re.compile(r"[,.!?;。，！？；]|顺便|另外|还有个事|还有件事|还有就是|再问一下|还想问|还要问|对了")
IGNORED = frozenset({"unknown", "greeting", "emergency"})  # emergencies are judged on the whole message
_MIN_CLAUSE = 4  # characters: shorter pieces (「你好」「谢谢」) say too little on their own


# When one is at home is no request of its own (「俺天天在家」「下午有人」「晚上六点后有人」).
_CLOCK = (
    r"([0-9]{1,2}|[一二三四五六七八九十两]{1,3})[点:：]([0-9]{2}|半|钟)?(以后|之后|后|以前|之前|前|左右)?"
)
_AT_HOME = re.compile(
    r"(我|俺|我们|家里|家)?(天天|每天|明天|今天|后天|下午|上午|晚上|中午|周末|随时|一直|都|"
    + _CLOCK
    + r")*(都|也)?(在家|有人|在)(的|呢|啊)?"
)
_ASKING = re.compile(r"^(我)?(还|再)?(想)?(问一下|问下|问问|请问|咨询一下|打听一下)")


def clauses(text: str) -> list[str]:
    """The message's clauses long enough to say something, without a leading 「问一下」."""
    pieces = (_ASKING.sub("", piece.strip()) for piece in _SPLIT.split(text))
    return [piece for piece in pieces if len(piece) >= _MIN_CLAUSE]


def rank(intent: str) -> int:
    return PRECEDENCE.index(intent) if intent in PRECEDENCE else len(PRECEDENCE)


def requests(text: str, classify: Callable[[str], tuple[str, float]]) -> list[tuple[str, str]]:
    """(intent, clause) for each clause classified confidently, by precedence, one per intent."""
    pieces = clauses(text)
    if len(pieces) < 2:
        return []
    found: dict[str, str] = {}
    for piece in pieces:
        if _AT_HOME.fullmatch(piece):
            continue
        intent, confidence = classify(piece)
        if confidence >= CLAUSE_CONFIDENCE and intent not in IGNORED and intent not in found:
            found[intent] = piece
    return sorted(found.items(), key=lambda item: rank(item[0]))


FIRST_CONFIDENCE = 0.5  # a clause said to come first needs less to be read
# 「…，先修暖气吧」「主要是想问问规定」: the resident says which of two comes first.
_FIRST = re.compile(
    r"^(先|首先)(帮我|给我|帮忙|麻烦)?(修|报|问|处理|看看|解决|办|登记|报名|投|换|查)"
    r"|^(主要|最主要的?|最要紧的?)(是)?(想|要)"
)  # not what was done first (「先拉了警戒线」「先贴个条别让人用」)


def said_first(text: str, classify: Callable[[str], tuple[str, float]]) -> str | None:
    """The request in the clause the resident puts first in words (「…，先修暖气吧」), if any."""
    pieces = clauses(text)
    for piece in pieces[1:] if len(pieces) > 1 else ():
        if _FIRST.match(piece):
            intent, confidence = classify(piece)
            return intent if confidence >= FIRST_CONFIDENCE and intent not in IGNORED else None
    return None
