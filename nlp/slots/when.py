"""Simple appointment times relative to a given day: 明天上午, 周六, 下周三, 这周末, 晚上7点.

The result is "YYYY-MM-DD", "YYYY-MM-DD 下午" (a part of the day) or "YYYY-MM-DD HH:MM".
A bare weekday means its next occurrence (today included); weeks start on Monday.
"""

from __future__ import annotations

import datetime as dt
import re

from nlp.numerals import to_arabic

__all__ = ["find_when", "without_when"]

_WD = "一二三四五六日天1-7"
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_RELATIVE_DAYS = [
    (re.compile(r"大后天"), 3),
    (re.compile(r"后天|后儿"), 2),
    (re.compile(r"明天|明儿|明日|明早|明晚|明个"), 1),
    (re.compile(r"今天|今儿|今日|今早|今晚|今个"), 0),
]
_WEEK = re.compile(
    rf"(?<![每一])(?P<which>下下|下|这|本|这个|下个)?(?:周|星期|礼拜)(?P<day>[{_WD}])(?![次个年岁])"
)
_WEEKEND = re.compile(r"(?P<which>下|这|本|这个|下个)?(?:周末|礼拜天?末)")
_DAY_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE = re.compile(rf"(?P<m>{_DAY_NUM})月(?P<d>{_DAY_NUM})[日号]")
_MONTH_DAY = re.compile(rf"(?P<which>这个月|本月|下个月|下月)(?P<d>{_DAY_NUM})[日号]")
_PART = re.compile(r"凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|今晚|明晚|明早|今早")
_HABIT = re.compile(r"天天|每天|每晚|每个晚上|经常|老是|总是|一到")
_PART_NAME = {"早晨": "早上", "今晚": "晚上", "明晚": "晚上", "明早": "早上", "今早": "早上", "夜里": "晚上"}
_CLOCK = re.compile(
    r"(?<!\d)(?!(?<=[有差快早晚慢好])[一两]点)(?P<h>\d{1,2}|[一二三四五六七八九十两]{1,3})\s*(?:点|时)(?![点儿多])"
    r"(?:\s*(?P<half>半)|\s*(?P<quarter>一刻|三刻)|\s*(?P<min>\d{1,2}|[一二三四五六七八九十零]{1,3})\s*分?)?"
    r"|(?<!\d)(?P<hh>[01]?\d|2[0-3])[:：](?P<mm>[0-5]\d)(?!\d)"
)


def _day_of_week(today: dt.date, which: str | None, weekday: int) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    if which in ("下", "下个"):
        return monday + dt.timedelta(days=7 + weekday)
    if which == "下下":
        return monday + dt.timedelta(days=14 + weekday)
    if which in ("这", "本", "这个"):
        return monday + dt.timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    return today + dt.timedelta(days=ahead)


def _int(raw: str) -> int | None:
    value = to_arabic(raw)
    return int(value) if value else None


def _date(text: str, today: dt.date) -> dt.date | None:
    for pattern, offset in _RELATIVE_DAYS:
        if pattern.search(text):
            return today + dt.timedelta(days=offset)
    if m := _WEEK.search(text):
        day = m.group("day")
        weekday = int(day) - 1 if day.isdigit() else _WEEKDAY[day]
        return _day_of_week(today, m.group("which"), weekday)
    if m := _WEEKEND.search(text):
        return _day_of_week(today, m.group("which"), 5)
    if m := _DATE.search(text):
        month, day = _int(m.group("m")), _int(m.group("d"))
        if month and day:
            for year in (today.year, today.year + 1):
                try:
                    date = dt.date(year, month, day)
                except ValueError:
                    return None
                if date >= today - dt.timedelta(days=31):
                    return date
    if m := _MONTH_DAY.search(text):
        day = _int(m.group("d"))
        month, year = today.month, today.year
        if m.group("which").startswith("下"):
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
        try:
            return dt.date(year, month, day or 0)
        except ValueError:
            return None
    return None


def _clock(text: str, part: str | None) -> str | None:
    m = _CLOCK.search(text)
    if not m:
        return None
    if m.group("hh") is not None:
        hour, minute = int(m.group("hh")), int(m.group("mm"))
    else:
        hour = _int(m.group("h")) or 0
        minute = 30 if m.group("half") else 0
        if m.group("quarter"):
            minute = 15 if m.group("quarter") == "一刻" else 45
        elif m.group("min"):
            minute = _int(m.group("min")) or 0
    if hour > 24 or minute > 59:
        return None
    afternoon = (part in ("下午", "傍晚", "晚上") and hour < 12) or (part == "中午" and hour < 3)
    if afternoon or (part is None and 1 <= hour <= 6):  # 明天3点: people mean the afternoon, not 3 a.m.
        hour += 12
    return f"{hour % 24:02d}:{minute:02d}"


def find_when(text: str, today: dt.date) -> str | None:
    """An appointment time mentioned in `text`, resolved against `today`, or None."""
    date = _date(text, today)
    pm = _PART.search(text)
    part = _PART_NAME.get(pm.group(), pm.group()) if pm else None
    clock = _clock(text, part)
    if date is None and clock is None and (part is None or _HABIT.search(text)):
        return None  # nothing said, or a habit (天天晚上吵) rather than an appointment
    date = date or today
    if clock:
        return f"{date.isoformat()} {clock}"
    if part:
        return f"{date.isoformat()} {part}"
    return date.isoformat()


_ANY_WHEN = [pattern for pattern, _ in _RELATIVE_DAYS] + [_WEEK, _WEEKEND, _DATE, _MONTH_DAY, _PART, _CLOCK]


def without_when(text: str) -> str:
    """`text` with every time expression taken out: 「周六上午都在家」 → 「都在家」."""
    for pattern in _ANY_WHEN:
        text = pattern.sub("", text)
    return text
