"""Natural-language understanding for 红管家: one call turns a resident's message into an intent.

``understand(text)`` normalises the text, runs the high-recall emergency layer, then the
intent classifier, and attaches slots (building/unit/room, category, urgency, phone, when...)
from ``nlp.slots``.  Pure functions and data: nothing here imports the rest of the project,
and everything is built from files in this package on first use.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from nlp.clauses import CLAUSE_CONFIDENCE, rank, requests, said_first
from nlp.emergency import denied, detect, guarded
from nlp.evidence import detector_fault, hint, settled
from nlp.hazard_cues import PERSON
from nlp.intent import INTENTS, classifier
from nlp.normalise import normalise
from nlp.openers import OPENING_CONFIDENCE, complaint, opening
from nlp.wishes import WISH_CONFIDENCE, wish

__all__ = ["INTENTS", "Understanding", "understand"]

from nlp.slots.address import find_address

try:
    from nlp.slots import extract_slots
except ImportError:  # merged later from the slots branch

    def extract_slots(text: str, *, today: dt.date | None = None) -> dict[str, str]:  # type: ignore[misc]
        return {}


EMERGENCY_CONFIDENCE = 0.99
JUST_ASKING_CONFIDENCE = 0.9
PRECEDENCE_MAX_CHARS = 40
# A danger named under one of these guards is not happening now (「要是半夜被关在电梯里，打哪个电话」):
# the classifier's lean to an emergency on the same words is no evidence either.
_NOT_NOW = frozenset({"hypothetical", "drill", "story", "asking", "over", "past", "aftermath"})
NEAR_THIRD = 0.2  # an emergency third with this much is still a lean (「插座发烫 怎么办」)
# A message that says first it is a complaint (「我想投诉一下，…」).
_COMPLAINS_FIRST = re.compile(r"(我)?(想|要)?(投诉|反映)(一下|个事|个情况|个问题)?[,\s]")
# The question a described situation ends on: who answers for it, is it allowed.
_ABOUT_IT = re.compile(
    r"(这种情况|这种事|这合法|合法吗|违法吗|谁负责|谁来管|归谁|谁管|谁赔|谁出|怎么处理|能管吗|管不管|有规定|该不该|"
    r"我能(直接)?|能不能|可不可以)[^,.!?;。，！？；]{0,12}$"
)
_QUESTIONS = frozenset({"consult", "notice", "progress", "vote", "volunteer", "points"})
SHORT_FRAGMENT = 3  # characters: 「楼里」「还有」 say too little for the classifier alone to alarm
# 「不是要报修，我就是问问…」: what the message says it is not decides less than what it asks.
_JUST_ASKING = re.compile(
    r"((不是|不|并不是|没)(要|想|是要|是想|打算)?(报修|修|投诉|举报|报名|反映|找茬|闹事)"
    r"|(不用|不需要|不必)(派人|来人|上门|派师傅|师傅)(来|过来)?)"
    r".{0,8}?(就是|只是|只想|就想|我就|我只|单纯|纯粹)?(问问|问一下|问下|打听|咨询|了解一下|了解|想知道)"
    # 「墙皮有点发黄 想问问要不要紧」: whether it matters is asked, nothing is reported yet.
    r"|(问问|问一下|问下|请问)(这|这个|这样)?(要不要紧|要紧吗|严不严重|严重吗|有没有事|有没有影响|正常吗|正不正常)"
)


# 「不是楼上的问题，是我家自己的水龙头坏了」「不是报名，我是想用积分换东西」: what is denied first is
# not what is asked; the clause after the correction is.
_CORRECTED = re.compile(
    r"^(?:我|俺|这|这个)?(?:不是|并不是|也不是|不是说)[^，,。；;!！?？]{1,20}[，,。；;\s]+"
    r"(?:而|我|俺|我就|我只)?(?:是|就是|只是|就想|只想|是想|是要)(?P<asked>[^，,。；;]{3,}.*)$"
)
CORRECTED_CONFIDENCE = 0.6
# 「你好，我刚租进来」「您好 我是新搬来的」: a hello and who one is, nothing asked yet.
_NEWCOMER_HELLO = re.compile(
    r"(?:你好|您好|哈喽|嗨|在吗)[，,。!！~\s]*(?:我|俺)?(?:是|们)?(?:刚|才|新)(?:刚)?(?:租|搬|住|来|入住)"
    r"(?:(?!坏|漏|修|堵|吵|问|报|灯|水|电|气|不|没|怎)[^，,。!！?？吗呢\s]){0,8}[。!！~]*"
)
GREETING_CONFIDENCE = 0.8
# Faces and signs that say thanks, hello or OK when sent alone; upset ones are asked what happened.
_FRIENDLY = re.compile("[👍🙏😊🌹👌❤💐😄😀😁🤝✌🌸☺💪👏🥰😃😆🤗🎉💯🙂😉👋🫡]")
_UPSET = re.compile("[😠😡🤬💢😤😭😢😞😩😫😖😣💔]")


@dataclass(frozen=True)
class Understanding:
    """What a message means: intent, how sure, slots, ranked alternatives, needs-confirmation flag."""

    intent: str
    confidence: float
    slots: dict[str, str] = field(default_factory=dict)
    candidates: tuple[tuple[str, float], ...] = ()
    ambiguous: bool = False
    hazard: str | None = None  # the hazard kind of a clear alarm (fire, gas, lift, ...)
    hint: str | None = None  # partial evidence: a hazard word said with distress
    also: tuple[str, str] | None = None  # a second request in the message: (intent, its words)
    opens: bool = False  # the words that open a new report (「报修」「我要投诉」), nothing more

    def ranks(self, intent: str) -> int | None:
        """Where ``intent`` stands among the candidates (0 = top), or None."""
        return next((i for i, (label, _) in enumerate(self.candidates) if label == intent), None)

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (candidates as lists)."""
        return {
            "intent": self.intent,
            "confidence": self.confidence,
            "slots": dict(self.slots),
            "candidates": [[label, score] for label, score in self.candidates],
            "ambiguous": self.ambiguous,
            "hazard": self.hazard,
            "hint": self.hint,
            "also": list(self.also) if self.also else None,
            "opens": self.opens,
        }


_LIVES = re.compile(r"(我|我家|俺家|我们家)?(住在|住|是|在)?$")
_REST = re.compile(r"[\W_]+")


def _without_address(clean: str) -> str:
    """What the message says besides where: 「我住3栋2单元502，厨房漏水」 is classified as 「厨房漏水」.

    A message that is only an address keeps it (the handlers decide what an address alone means).
    """
    rest = _besides_where(clean)
    return rest if rest is not None and len(_REST.sub("", rest)) >= 2 else clean


def _besides_where(clean: str) -> str | None:
    """The message without its address (and 「我住在」 before it); None when it names none."""
    found = find_address(clean)
    if found is None:
        return None
    start, end = found.span
    return _LIVES.sub("", clean[:start]) + clean[end:]


def _names_no_situation(clean: str) -> bool:
    """「在」「楼里」「还有」 with no word of danger, only an address (「十二号楼三单元六零一」), or only
    who lives there (「我正楼上602，一个老头带着孙子住」): nothing has been said to happen."""
    size = len(_REST.sub("", clean))
    if size <= 1 or (size <= SHORT_FRAGMENT and hint(clean, distress=False) is None):
        return True
    rest = _besides_where(clean)
    if rest is not None and len(_REST.sub("", rest)) < 2:
        return True
    return len(_REST.sub("", _WHO_LIVES.sub("", rest if rest is not None else clean))) < 2


# What a cry of dismay may come before: a question, thanks, a notice, points… (not a dispute or a
# repair, where 「救命」 may be the fight or the flood itself).
_HYPERBOLE_BEFORE = frozenset({"consult", "greeting", "notice", "points", "vote", "volunteer", "progress"})
HYPERBOLE_CONFIDENCE = 0.8
# What a dismayed 「救命」 is about, named (the classifier may be unsure of the rest all the same).
_EVERYDAY = re.compile(
    r"物业费|管理费|停车费|水费|电费|燃气费|暖气费|涨价|涨了|积分|爱心屋|通知|投票|报名|活动|谢谢|感谢|多谢|"
    r"(有人)?回(我|复)了"
)


def _hyperbole(clean: str, cue: str) -> str | None:
    """What is said besides 「救命」 when that is a cry of dismay (「救命啊终于有人回我了，谢谢」): the
    rest names no danger and is sure to be an everyday request; None when the cry may be real."""
    rest = re.sub(rf"{re.escape(cue)}[啊呀哇啦了]*[,.!?\s]*", "", clean, count=1).strip()
    if len(_REST.sub("", rest)) < 2 or detect(rest) is not None or hint(rest, distress=False):
        return None
    pred = classifier().predict(_without_address(rest))
    everyday = pred.confidence >= HYPERBOLE_CONFIDENCE or _EVERYDAY.search(rest) is not None
    return rest if pred.intent in _HYPERBOLE_BEFORE and everyday else None


# Who lives where, with nothing happening: the people, and the words that only place them.
_WHO_LIVES = re.compile(
    rf"{PERSON}|老夫妻|夫妻|两口子|小两口|租户|房东|租客|年轻人|上班族|一家人|一家|[一两三四五六几]?[个口对]|俩|"
    r"带着|还有|和|跟|住着|住的|住|是|就是|我们|我家|我|正|楼上|楼下|对门|隔壁|"
    r"那家|这家|那户|那个|这个|家里|家|的|在"
)


def understand(text: str, *, today: dt.date | None = None) -> Understanding:
    """Classify one resident message.  Never raises for any string input.

    ``today`` (the community's local date) anchors relative times such as 「明天上午」; by
    default the machine's date.
    """
    clean = normalise(text or "")
    if not clean:
        if _FRIENDLY.search(text or "") and not _UPSET.search(text or ""):
            return Understanding(
                intent="greeting", confidence=GREETING_CONFIDENCE
            )  # 「👍」「🙏🙏🙏」「🌹🌹」
        return Understanding(intent="unknown", confidence=0.0)
    slots = dict(extract_slots(clean, today=today))
    alarm = detect(clean)
    if alarm is not None and alarm.kind == "help" and (said_plainly := _hyperbole(clean, alarm.cue)):
        clean, alarm = said_plainly, None  # 「救命啊物业费又涨了」: a cry of dismay, then a question
    pred = classifier().predict(_without_address(clean))
    if alarm is not None:
        slots.setdefault("hazard", alarm.kind)
        ranked = _ahead("emergency", EMERGENCY_CONFIDENCE, pred.candidates)
        return Understanding("emergency", EMERGENCY_CONFIDENCE, slots, ranked, hazard=alarm.kind)
    if _JUST_ASKING.search(clean):
        # A question all the same: about a notice, a vote... stays one; anything else is consult.
        asked = pred.intent if pred.intent in _QUESTIONS else "consult"
        ranked = _ahead(asked, JUST_ASKING_CONFIDENCE, pred.candidates)
        return Understanding(asked, JUST_ASKING_CONFIDENCE, slots, ranked)
    if _NEWCOMER_HELLO.fullmatch(clean):
        return Understanding(
            "greeting", GREETING_CONFIDENCE, slots, _ahead("greeting", GREETING_CONFIDENCE, pred.candidates)
        )
    said = clean  # what the request is read from (the whole is kept for words of danger)
    if (corrected := _CORRECTED.match(clean)) is not None:
        asked_pred = classifier().predict(_without_address(corrected.group("asked")))
        if (
            asked_pred.intent not in ("unknown", "emergency")
            and asked_pred.confidence >= CORRECTED_CONFIDENCE
        ):
            pred, said = asked_pred, corrected.group("asked")
    if wish(clean):
        # 「我有个微心愿…」「想请党员帮我…」: a wish for a party member, by its words (nlp.wishes).
        return Understanding("wish", WISH_CONFIDENCE, slots, _ahead("wish", WISH_CONFIDENCE, pred.candidates))
    if (opened := opening(clean)) is not None:
        # 「报修」「投诉噪音」: a new report begins, it asks after no earlier one.
        ranked = _ahead(opened, OPENING_CONFIDENCE, pred.candidates)
        return Understanding(opened, OPENING_CONFIDENCE, slots, ranked, opens=True)
    if pred.intent in ("progress", "repair", "unknown", "consult") and complaint(said):
        # 「物业维修工约好了不来」: told as a grievance, it is a complaint however it leans.
        ranked = _ahead("dispute", OPENING_CONFIDENCE, pred.candidates)
        return Understanding("dispute", OPENING_CONFIDENCE, slots, ranked)
    if detector_fault(clean) and pred.intent in ("emergency", "repair", "unknown"):
        # 「屋头那个烟感一直叫，烦得很」: a smoke detector sounding, with no smoke told, is a repair.
        ranked = _ahead("repair", OPENING_CONFIDENCE, pred.candidates)
        return Understanding("repair", OPENING_CONFIDENCE, slots, ranked)
    if pred.intent == "emergency" and _names_no_situation(clean):
        # Unknown: the fallback asks what happened, or the open form takes the address.
        return Understanding("unknown", pred.confidence, slots, pred.candidates, ambiguous=True)
    candidates = pred.candidates
    # Emergency among the top two, or third but close (a near tie of three): evidence to weigh.
    lean = [label for label, _ in candidates[:2]] + [
        label for label, p in candidates[2:3] if label == "emergency" and p >= NEAR_THIRD
    ]
    complains = _COMPLAINS_FIRST.match(clean) is not None
    told_of = guarded(clean) in _NOT_NOW if "emergency" in lean else False
    if (
        "emergency" in lean
        and len(candidates) > 1
        and (denied(clean) or settled(clean) or complains or told_of)
    ):
        # 「不是着火，是烧烤的烟」: the words of danger are there only to be denied; 「电梯关了我一下
        # 现在已经出来了 人没事」: the danger is over; 「我想投诉一下，楼道里总有股味道」: a
        # complaint, said to be one (a hazard cue in it would have alarmed above). Emergency
        # leaves the candidates, so the policy sees no lean to it either.
        candidates = tuple(c for c in candidates if c[0] != "emergency")
        if pred.intent == "emergency":
            return Understanding(candidates[0][0], candidates[0][1], slots, candidates)
        lean = [label for label, _ in candidates[:2]]
    # A word of danger behind the classifier's emergency guess (or, as runner-up, said in distress).
    found = hint(clean, distress=lean[0] != "emergency") if "emergency" in lean else None
    intent, confidence, also = pred.intent, pred.confidence, None
    if intent != "emergency":
        asked = requests(said, _classify)  # a clause denied first asks nothing
        if (
            asked
            and len(clean) <= PRECEDENCE_MAX_CHARS
            and rank(asked[0][0]) < rank(intent)
            and not (intent == "consult" and _ABOUT_IT.search(clean))
        ):
            # A short message with two requests is the more pressing one (a long story is not:
            # its early clauses are background, and so is a situation asked about: 「邻居装了个
            # 监控对着我家门，这合法吗」).
            intent, confidence = asked[0][0], max(confidence, CLAUSE_CONFIDENCE)
        if (first := said_first(said, _classify)) is not None and first != intent:
            intent, confidence = first, max(confidence, CLAUSE_CONFIDENCE)  # 「…，先修暖气吧」
        also = next(((label, words) for label, words in asked if label != intent), None)
    return Understanding(
        intent=intent,
        confidence=confidence,
        slots=slots,
        candidates=candidates,
        ambiguous=pred.ambiguous and intent == pred.intent,
        hint=found,
        also=also,
    )


def _ahead(
    label: str, score: float, candidates: tuple[tuple[str, float], ...]
) -> tuple[tuple[str, float], ...]:
    """``label`` first with ``score``, then the two best of the rest."""
    return ((label, score), *[(other, p) for other, p in candidates if other != label][:2])


def _classify(piece: str) -> tuple[str, float]:
    pred = classifier().predict(_without_address(piece))
    return pred.intent, pred.confidence
