"""What words say on their own, before any intent: a question asked, a stop, thanks, 「继续」.

The policy (``bot.policy``) reads these beside the NLU: 「不对不对」 asks nothing, 「没有什么气味」 is
no question, 「算了不用了，楼栋长说他已经报过了」 stops what is open, 「好的谢谢」 is thanks alone.
"""

from __future__ import annotations

import re

_FILLER = (
    r"[\s嗯啊哎唉哦噢喔那就还是我先这个那个吧了哈呀嘛,，。！!.~]*"
    r"(?:(?:好吧|行吧|好的|那好|那行|没事|谢谢(你|您)?|谢了|多谢|麻烦(你|您)?了|辛苦(你|您)?了)"
    r"[\s嗯啊哎唉哦噢喔那就还是我先这个那个吧了哈呀嘛,，。！!.~]*)*"
)
_CANCEL_WORD = (
    r"取消|算了|不用了|退出|不办了|不弄了|先不了|不要了|不报了|不修了|不用修了|不需要了|不搞了|撤了|撤销|不想办了"
    r"|不报名了|不换了|不投诉了|不投了|先不投|不参加了|不去了|不用来了|不用过来了|别来了|别修了|别弄了|别办了"
)
# Why one stops, said beside the word that stops it: 「取消 我再想想」「算了不用了 刚才它又亮了」.
_REASON = (
    r"我?(再|还要|还得)(想想|考虑考虑|考虑一下|考虑|攒攒|看看|等等)|以后再说|下次再说|回头再说|先这样"
    r"|我?(还是)?(自己|自个儿)[^，,。!！?？]{0,12}"
    r"|刚才?[^，,。!！?？]{0,8}(好了|亮了|通了|来了|修好了|弄好了)|[^，,。!！?？]{0,6}又(好|亮|通)了"
)
# A reason told after the stopping word (「算了不用了，我儿子刚给弄好了」「不报了 我周日要去医院复查」).
_TOLD_REASON = re.compile(
    r"弄好|修好|好了|不漏了|不堵了|亮了|通了|道歉|和好|说开了|解决了|在修|修了|有事|没空|没时间|要去|去不了|忙|医院|复查|出差|加班"
    r"|自己|再说|想想|不需要|用不着|不想|不换了|不要了"
    r"|报过|已经(报|有人|在|修|弄|处理|打)|有人(报|修|管|弄|处理)|处理了|来过|看过|能用了|没坏"  # 「他已经报过了」
)
_CLAUSE_BEFORE = re.compile(r"[^\W\d_]{3}[，,。.!！~\s]+$")  # words, then a break before the stop
_STOPS_FIRST = re.compile(
    rf"{_FILLER}(?:{_CANCEL_WORD}|不用报了|不投了)(?:{_FILLER}(?:{_CANCEL_WORD}|不用报了|不投了))*"
)
_ENDS_STOPPING = re.compile(rf"(?:{_CANCEL_WORD}|不用报了|不投了){_FILLER}$")
# One or more words of stopping, perhaps with a reason, and nothing else.
CANCEL = re.compile(
    rf"{_FILLER}(?:(?:{_REASON}){_FILLER})*(?P<word>{_CANCEL_WORD})(?:{_FILLER}(?:{_CANCEL_WORD}|{_REASON}))*{_FILLER}"
)
# Thanks and nothing else (「好的谢谢」「谢谢师傅」): inside a form, the form answers it in kind.
_SOFT = r"(?:[\s嗯啊哎唉哦噢喔哈呀嘛,，。！!.~👍]*(?:好的|好吧|那好|知道了|没事))*[\s嗯啊哎唉哦噢喔哈呀嘛,，。！!.~👍]*"
THANKS_ONLY = re.compile(
    rf"(?:{_SOFT}(?:谢谢|感谢|多谢|谢了|谢啦|辛苦|麻烦(?:你|您)?了)"
    rf"(?:你们|你|您|师傅|小管家|管家|物业|大家|啦|了|哈|呀|哦|啊|的)*)+{_SOFT}"
)
RESUME = re.compile(r"\s*(继续|接着办|接着来|继续办|继续刚才的|回到刚才的)\s*[。！!.]*\s*")
_QUESTION = re.compile(
    r"[?？吗呢么]\s*$|怎么|怎样|如何|谁|哪|什么|多少|几|是不是|能不能|可不可以|可以.{0,8}吗|有没有"
    r"|(了|过)没有?\s*$|(?<!不)([^\W\d_不])不\2|问问|问一?下|想问|请问|请教|打听"  # 「修了没有」「要不要钱」
    r"|是[^，,。!！?？]{1,12}还是"  # 「是物业出钱还是我自己出」; 「不对不对」 corrects, it asks nothing
    r"|咋|啥|归[^，,。!！?？]{1,6}管|管还是"  # 「咋还没到」「归你们管还是归热力公司管」
)
NON_WORD = re.compile(r"[\s\W_]+")
# Question words that ask nothing: 「也没有什么气味」「没啥气味的」「怕哪天着火」.
_INDEFINITE = re.compile(
    r"(?:没有?|不|并没有?)(?:什么|啥|多少|几|怎么)|(?:怕|万一|说不定|总有)哪天|(?:好|这|那)几"
    r"|有几(?:块|片|根|处|条|道)[^，,。!！?？吗呢]{1,8}(?:了|着)\s*$"  # 「上头还有几块翘起来了」
    r"|(?:哪天|哪一天|什么时候|啥时候|几点|哪个时间|哪会儿)(?:来)?(?:都|也)(?:行|可以|成|好|方便|在|能)"  # 「哪天都行」
)
BARE_CANCEL = frozenset(
    {"取消", "算了", "不用了", "退出", "不要了", "撤销", "不办了", "不弄了", "先不了", "不搞了"}
)


def mentions_stopping(text: str) -> bool:
    """Whether words of stopping are said (「R1028不用来了 我自己修好了」), and nothing is asked."""
    return re.search(_CANCEL_WORD, text) is not None and not is_question(text)


def is_question(text: str) -> bool:
    return _QUESTION.search(_INDEFINITE.sub("", text)) is not None


def stops_with_reason(text: str) -> re.Match[str] | None:
    """「算了算了，刚他家来道歉了，不投了」: words of stopping first, then why (nothing new asked);
    or why first and the stopping last (「哦不对 我周六晚上没空 不报了」)."""
    spoken = NON_WORD.sub("", text) if re.search(r"\S\s\S\s\S", text) else text  # 「不 报 了」 by voice
    if _QUESTION.search(spoken):
        return None
    first = _STOPS_FIRST.match(spoken)
    if first is None:
        last = _ENDS_STOPPING.search(spoken)
        # why, by a word of it or said as a clause of its own (「那天要带孙子去打疫苗，取消吧」)
        told = last is not None and (
            _TOLD_REASON.search(spoken, 0, last.start()) is not None
            or _CLAUSE_BEFORE.search(spoken, 0, last.start()) is not None
        )
        return re.search(rf"(?P<word>{_CANCEL_WORD})", last.group(0)) if told and last is not None else None
    if first.end() == len(spoken):
        return None
    stop = re.search(rf"(?P<word>{_CANCEL_WORD})", first.group(0))
    # why, or the stopping said again at the end (「算了，邻里邻居的，不投诉了」)
    said_again = _ENDS_STOPPING.search(spoken, first.end()) is not None
    return stop if stop is not None and (_TOLD_REASON.search(spoken, first.end()) or said_again) else None
