"""What a visit found (走访结果): 见到本人 / 无人应答 / 住院或外出 / 需要帮助, read from a volunteer's words.

Pure functions, no database. :func:`read_outcome` returns None when the words do not say
whether the volunteer saw the person: then the bot asks rather than guesses.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Outcome(StrEnum):
    seen = "seen"  # 见到本人, all well
    no_answer = "no_answer"  # 无人应答: nobody opened, the phone is not answered
    away = "away"  # 住院或外出: in hospital, at a child's home, travelling
    needs_help = "needs_help"  # seen, and they need something done


LABEL = {
    Outcome.seen: "见到本人",
    Outcome.no_answer: "无人应答",
    Outcome.away: "住院或外出",
    Outcome.needs_help: "需要帮助",
}
COUNTS = (Outcome.seen, Outcome.needs_help)  # the volunteer saw the person: a visit that counts
CHECK_CATEGORY = "紧急核查"  # the ticket category of an urgent check after 无人应答

# The elder's own errands (「她刚才去买菜了」): where she was, not help she needs.
_OWN_ERRAND = re.compile(
    r"(自己|刚才?|刚刚|出去|出门)?去?(买菜|遛弯|散步|跳舞|下棋|晨练|锻炼)(了|去了|回来)?"
)
_NEGATED = re.compile(r"(没|没有|无|不|不用|不需要)(什么|啥|任何)?(不舒服|需要|要帮|帮忙|异常|问题|事)")
_AWAY = re.compile(
    r"住院|住了院|在医院|医院里|外出|出远门|回老家|探亲|旅游|旅行|去外地|"
    r"(去|到|住)(了)?(女儿|儿子|子女|闺女|孩子|亲戚|儿女)(那|家)|"
    r"(下周|下个月|过几天|过两天|月底|年后|\d+号)(才)?回来"
)
_NO_ANSWER = re.compile(
    r"没人应|没有人应|无人应|没人开门|没有人开门|没开门|敲门没|联系不上|打不通|没人接|没接电话|不接电话|"
    r"没见到|没有见到|没看到人|没见着|找不到人|不见人|没人在家|家里没人"
)
_HELP = re.compile(
    r"帮忙|需要帮助|需要人|想要人|想请人|请人|买药|送药|拿药|买菜|送饭|陪.{0,2}看病|"
    r"疼|痛|不舒服|生病|病了|发烧|咳嗽|摔|头晕|晕倒|昏迷|漏水|坏了|没暖气|没电|没水"
)
_SEEN = re.compile(
    r"^(见到|见着|看到|看见)|见到了|见到本人|见到老人|见着了|看到了|看到本人|"
    r"身体.{0,3}(好|不错|健康|硬朗|可以)|挺好|很好|都好|还好|不错|精神|聊了|聊天|"
    r"一切正常|正常|健康|硬朗|平安|没事|无异常|吃过饭|在家"
)
# Words that mean someone may be in danger right now: responders are alerted at once.
DANGER = re.compile(r"摔倒|摔了|晕倒|昏迷|不省人事|没反应|没有反应|没呼吸|流血|120|救护车")
_YES = re.compile(r"\s*(见到|见到了|见着了|看到了|见了|是|是的|对|嗯|见到本人)[了。！!，,]*\s*")
_NO = re.compile(r"\s*(没见到|没有见到|没见着|没看到|没有|没|没见|不在|没人)[了。！!，,]*\s*")


def read_outcome(note: str) -> Outcome | None:
    """The outcome the words state, or None when they do not say whether the person was seen."""
    text = _NEGATED.sub("", note)
    if _SEEN.search(text):
        text = _OWN_ERRAND.sub("", text)  # seen, and just back from the market: not a need
    if _AWAY.search(text):
        return Outcome.away
    if _NO_ANSWER.search(text):
        return Outcome.no_answer
    if _HELP.search(text):
        return Outcome.needs_help
    if _SEEN.search(text):
        return Outcome.seen
    return None


_ELDER_KIN = (
    "奶奶",
    "爷爷",
    "阿姨",
    "大妈",
    "大娘",
    "婆婆",
    "老太",
    "大爷",
    "伯伯",
    "叔叔",
    "姨",
    "叔",
    "老人",
)
# Words that tell of a visit (「今天去看了刘奶奶」「刘奶奶我去看过了」).
VISIT_WORDS = re.compile(r"去看了|去看过|看过了|看望|探望|走访|上门看|去了.{0,4}家|敲门|去.{0,6}家")


def names_elder(name: str, text: str) -> bool:
    """Whether ``text`` speaks of the elder called ``name``: the full name, or the surname and how
    one addresses an elder (刘桂芳 → 刘奶奶, 刘阿姨)."""
    if not name:
        return False
    return name in text or any(name[0] + kin in text for kin in _ELDER_KIN)


def read_answer(text: str) -> bool | None:
    """The answer to 「见到本人了吗？」: True (见到), False (没见到), None (neither)."""
    if _NO.fullmatch(text):
        return False
    if _YES.fullmatch(text):
        return True
    return None


def parse_outcome(value: str) -> Outcome:
    """An outcome given explicitly (API): the key (``no_answer``) or its label (无人应答)."""
    for outcome, label in LABEL.items():
        if value in (outcome.value, label):
            return outcome
    raise ValueError(f"unknown outcome {value!r}: one of " + ", ".join(o.value for o in Outcome))
