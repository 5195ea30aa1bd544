"""The first words of a new request: 「报修」「帮我报个修」「投诉噪音」 open a form, they ask no progress.

The classifier has seen 报修 and 投诉 mostly inside progress questions (「我报修的…修了吗」), so
the bare opening of a report leans to progress. An opening is the verb of reporting, perhaps
with 我要/帮我/麻烦 before it and a few words of what it is about after it, and no word that
asks after an earlier report (的, 了吗, 进度, 怎么, 电话 ...). ``complaint`` finds a grievance
about a service told as it happened (「物业维修工约好了不来」), which is a complaint to file, not a
question after one.
"""

from __future__ import annotations

import re

__all__ = ["OPENING_CONFIDENCE", "complaint", "opening"]

OPENING_CONFIDENCE = 0.9
_TOPIC_CHARS = 8  # characters of what the report is about: 「水管」「楼上噪音」

_FILLER = r"[\s嗯啊哎唉喂那个就是这个你好您好,，。！!~]*"
_WHO = r"(我|我家|我们|我们家|俺|俺家)?(这边|这里)?(要|想|想要|需要|得|来|又要|还要)?(帮我|给我|麻烦|请|帮忙|麻烦你们|麻烦你)?"
_VERBS = {
    "repair": r"报修|报个修|报一下修|报一个修|报下修|申请维修|申请报修|新报一个修|报个维修|维修|修理",
    "dispute": r"投诉|举报|反映个问题|反映一下|反映个事",
}
_OPENING = {
    intent: re.compile(rf"{_FILLER}{_WHO}({verbs})(一下|一个|下|个)?(吧|啊|呀|哈|哦)?{_FILLER}(?P<rest>.*)")
    for intent, verbs in _VERBS.items()
}
# What makes the words after the verb a question about an earlier report, or about reporting.
_ASKS_AFTER = re.compile(
    r"^(的|了|过)|了吗|了没|呢|吗|没有|进度|怎么|多久|几天|电话|号码|热线|结果|处理|情况|回复|流程|在哪|哪里|哪儿|谁|什么|啥|有用|管用|记录|单号"
    r"|(天|周|礼拜|星期|月|小时|好久|半天)了|还没|没人|没来|一直|基金|资金|费|钱|师傅|工|人员|公司|部|几|预约|到(了|啊|吗|没)"
)
_REST = re.compile(r"[\s\W_]+")


def opening(clean: str) -> str | None:
    """``repair`` or ``dispute`` when normalised ``clean`` opens a new report, else None."""
    for intent, rx in _OPENING.items():
        match = rx.fullmatch(clean)
        if match is None:
            continue
        rest = match.group("rest")
        if not rest or (len(_REST.sub("", rest)) <= _TOPIC_CHARS and not _ASKS_AFTER.search(rest)):
            return intent
    return None


# What the property company's people did wrong, told as it happened: a complaint, not a progress
# question (「物业维修工约好了不来」「师傅把我家地板划坏了还不认账」「…我要正式投诉」).
_COMPLAINT = re.compile(
    r"(约好|说好|答应|约了|讲好)[^,.!?;]{0,16}(不来|没来|没人来|人没来|没有来|也不来|放(我)?鸽子|爽约|人影都没有)"
    r"|放(我)?鸽子|爽约|(弄坏|搞坏|划坏|划了|刮花|砸坏|弄脏|摔坏)[^.!?;]{0,10}(不认|不承认|不管|就走|不赔)"
    r"|说(好)?(今天|明天|上午|下午|晚上|马上|一会儿?)?(就)?(来|上门)[^.!?;]{0,12}(没来|不来|没人来|也没来|没见人)"
    r"(?=.*(态度|不接|不回|骗|糊弄|敷衍|不负责|投诉|什么服务))"  # a grievance, not 「到现在也没来」 alone
    r"|我要(正式|去)?投诉(你们|物业|他们)?[。!]?$"
)
# A question after all: 「约好了今天来 怎么还没来」 asks after the visit.
_ASKS = re.compile(r"[?？吗呢]$|怎么|什么时候|几点|咋|啥时|多久|到底来不来")


# 「我想投诉一下物业维修部。我家卫生间的下水三月份就报了…」: said first, as a sentence of its own,
# whatever the story after it asks.
_COMPLAINS_FIRST = re.compile(
    rf"^{_FILLER}{_WHO}(投诉|举报)(一下|下)?(?P<whom>[^,.!?;，。！？；]{{1,10}})[。.!！]"
)
_ASKS_WHOM = re.compile(r"吗|呢|怎么|电话|号码|热线|流程|在哪|哪|谁|什么|啥|渠道|方式")


def complaint(clean: str) -> bool:
    """Whether normalised ``clean`` tells a complaint about a service (and asks nothing)."""
    first = _COMPLAINS_FIRST.match(clean)
    if first is not None and not _ASKS_WHOM.search(first.group("whom")) and len(clean) > first.end():
        return True
    return _COMPLAINT.search(clean) is not None and _ASKS.search(clean) is None
