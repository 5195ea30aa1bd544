"""Which of the activities shown a resident's words pick: 「2」「第二个」「义诊那个」「这周六那场」
「28号上午的」「下周六上午那场」.

Each thing said narrows the list: its 编号, its place in the list, a piece of its title (「清扫楼道」
for 楼道卫生大扫除), its day (周六, 这周六, 下周六, 28号, 11月28日, 明天) and its part of the day
(上午, 下午, 晚上). What is left is the pick when it is one; several left are for the resident
to choose between.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from handlers.common import spoken
from models.activities import Activity
from models.base import LOCAL_TZ
from nlp.numerals import to_arabic

_GENERIC_PAIRS = frozenset({"活动", "报名", "兑换", "积分", "志愿", "服务", "一次", "社区", "那个", "这个"})
_ID = re.compile(r"(?<![\d月第])([0-9]{1,6})(?![\d月日点:：栋楼单元室]|号(?!那|的|这))")
_BRACKETED = re.compile(r"[【\[]\s*([0-9]{1,6})\s*[】\]]|编号\s*([0-9]{1,6})")
_POSITION = re.compile(r"第([一二三四五六七八九十]|[1-9])(?:个|场|项)|(最后一个|最后那个|最后一场|最后那场)")
_CN = "一二三四五六七八九十"
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_WEEK = re.compile(r"(下下|下个|下|这个|这|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])(?![次个年岁])")
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_MONTH_DAY = re.compile(rf"({_NUM})月({_NUM})[日号]?")
_DAY = re.compile(rf"(?<![月\d一二三四五六七八九十])({_NUM})[号日](?!子)")
_RELATIVE = {"大后天": 3, "后天": 2, "明天": 1, "今天": 0}
# Part of the day → the starting hours it covers.
_PARTS = {
    "上午": range(5, 12),
    "早上": range(5, 10),
    "中午": range(11, 14),
    "下午": range(12, 18),
    "傍晚": range(16, 20),
    "晚上": range(17, 24),
}


def picked(
    text: str, listed: Sequence[Activity], *, today: date, by_day: bool = True
) -> list[Activity] | None:
    """The activities of ``listed`` that ``text`` points at, in their order, or None when it says
    nothing that points at any (no 编号, place, piece of a title or day). ``by_day=False`` reads
    only 编号, place and title (a request that names no activity is not chosen by its day)."""
    said = spoken(text)
    if (one := _by_number(said, listed)) is not None:
        return [one]
    if (one := _by_position(said, listed)) is not None:
        return [one]
    narrowed: list[Activity] | None = None
    named = by_name(said, listed)
    if named:
        narrowed = named
    if not by_day:
        return narrowed
    keep, loose = _on_day(said, today), _on_day(said, today, loose=True)
    if keep is not None and loose is not None:
        among = narrowed if narrowed is not None else listed
        narrowed = [a for a in among if keep(a)] or [a for a in among if loose(a)]
    if (keep := _at_part(said)) is not None:
        narrowed = [a for a in (narrowed if narrowed is not None else listed) if keep(a)]
    return narrowed


def the_one(text: str, listed: Sequence[Activity], *, today: date, by_day: bool = True) -> Activity | None:
    found = picked(text, listed, today=today, by_day=by_day)
    return found[0] if found is not None and len(found) == 1 else None


def by_name(text: str, listed: Sequence[Activity]) -> list[Activity]:
    """Those whose title shares the most two-character pieces with the words (none if no piece)."""
    said = spoken(text)
    scores = []
    for activity in listed:
        title = activity.title
        pairs = {title[i : i + 2] for i in range(len(title) - 1)} - _GENERIC_PAIRS
        scores.append(sum(pair in said for pair in pairs))
    best = max(scores, default=0)
    return [a for a, score in zip(listed, scores, strict=True) if best and score == best]


def on_day(text: str, activity: Activity, *, today: date) -> bool | None:
    """Whether the day said is the activity's (None when no day is said)."""
    keep = _on_day(spoken(text), today)
    return None if keep is None else keep(activity)


def _by_number(said: str, listed: Sequence[Activity]) -> Activity | None:
    ids = {a.id: a for a in listed}
    found = _BRACKETED.search(said)
    numbers = [int(found.group(1) or found.group(2))] if found else [int(n) for n in _ID.findall(said)]
    hits = [ids[n] for n in numbers if n in ids]
    return hits[0] if len(hits) == 1 else None


def _by_position(said: str, listed: Sequence[Activity]) -> Activity | None:
    found = _POSITION.search(said)
    if found is None or not listed:
        return None
    if found.group(2):
        return listed[-1]
    digit = found.group(1)
    index = int(digit) if digit.isdigit() else _CN.index(digit) + 1
    return listed[index - 1] if 0 < index <= len(listed) else None


def _local(activity: Activity) -> date:
    return activity.starts_at.astimezone(LOCAL_TZ).date()


def _on_day(said: str, today: date, *, loose: bool = False) -> Callable[[Activity], bool] | None:
    """A test of an activity's day from the day said, or None when no day is said. 「这周六」「下周六」
    name one Saturday; ``loose`` reads them as any Saturday, for when none shown is on the one named
    (「下周六」 is said of the coming one too; the confirmation shows the date)."""
    for word, ahead in _RELATIVE.items():
        if word in said:
            day = today + timedelta(days=ahead)
            return lambda a: _local(a) == day
    if found := _WEEK.search(said):
        raw = found.group(2)
        weekday = int(raw) - 1 if raw.isdigit() else _WEEKDAY[raw]
        which = found.group(1) or ""
        monday = today - timedelta(days=today.weekday())
        weeks = 2 if which == "下下" else 1 if which.startswith("下") else 0
        exact = monday + timedelta(days=7 * weeks + weekday) if which and not loose else None
        return lambda a: _local(a) == exact if exact is not None else _local(a).weekday() == weekday
    if found := _MONTH_DAY.search(said):
        month, day = _number(found.group(1)), _number(found.group(2))
        return lambda a: (_local(a).month, _local(a).day) == (month, day)
    if found := _DAY.search(said):
        day = _number(found.group(1))
        return lambda a: _local(a).day == day
    return None


def _at_part(said: str) -> Callable[[Activity], bool] | None:
    for word, hours in _PARTS.items():
        if word in said:
            return lambda a: a.starts_at.astimezone(LOCAL_TZ).hour in hours
    return None


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else int(to_arabic(raw) or 0)


# 「我报扫雪那个」「清理车棚那个」: an activity chosen by a name (perhaps one the community lacks);
# 「下周六的理发活动」「报名广场舞活动」: a name said before 活动.
_NAMED = re.compile(
    r"^[\s嗯啊哦那个就我想要帮给]*(?:报名|报|参加|选|去)?[\s一下个]*"
    r"(?P<name>[^\s，,。！!？?的]{2,8}?)\s*(?:的)?\s*(?:那个|这个|那场|那次)"
)
_NAMED_ACTIVITY = re.compile(r"(?:^|[的，,\s]|报名?|参加)(?P<name>[\u4e00-\u9fff]{2,4}?)活动")
_NOT_A_NAME = re.compile(
    r"第|最后|上面|下面|前面|后面|这|那|哪|什么|周|星期|礼拜|今天|明天|后天|[上下]午|晚上|号|月"
    r"|志愿|报名|参加|社区|公益|近期|最近|有|啥"
)
_ASKS = re.compile(r"什么|哪些|有没有|啥|有冇|吗|[?？]")


def said_name(text: str) -> str | None:
    """The name of an activity said with 「那个」 or before 「活动」 (「扫雪」「理发」), if any."""
    for pattern in (_NAMED, _NAMED_ACTIVITY):
        found = pattern.search(text)
        if found is not None and not _NOT_A_NAME.search(found.group("name")):
            return found.group("name")
    return None


def unknown_name(text: str, titles: Sequence[str]) -> str | None:
    """The name of an activity said (「扫雪」) when no title shown is called anything like it."""
    name = said_name(text)
    if name is None or _ASKS.search(text):
        return None
    pairs = {name[i : i + 2] for i in range(len(name) - 1)}
    return None if any(pair in title for title in titles for pair in pairs) else name
