"""Times in a community import: a TOML datetime with an offset, or a time relative to the import.

``"+3d 09:00"`` is 09:00 Beijing time on the third day after the day of the import (in Beijing),
``"-10d 14:30"`` ten days before it, ``"+0d 18:00"`` the same day. A file written with relative
times (the demo community) is as believable on the day it is imported as on the day it was written.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from models.base import LOCAL_TZ

RELATIVE = re.compile(r"([+-])(\d{1,4})d\s+(\d{1,2}):(\d{2})")
HOW = '需要带时区的时间，例如 2026-11-28T09:00:00+08:00，或相对导入当天的时间，例如 "+3d 09:00"（北京时间）'


def is_relative(value: Any) -> bool:
    """Whether ``value`` is written relative to the import (a string rather than a TOML datetime)."""
    return isinstance(value, str)


def import_time(value: Any, *, now: datetime) -> datetime:
    """The moment ``value`` means for an import at ``now``; ValueError (in Chinese) when it means none."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{HOW}；{value.isoformat()} 没有时区")
        return value
    found = RELATIVE.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"{HOW}；现在是 {value!r}")
    sign, days, hour, minute = found.groups()
    if int(hour) > 23 or int(minute) > 59:
        raise ValueError(f"{HOW}；{value!r} 的钟点不存在")
    day = now.astimezone(LOCAL_TZ).date() + timedelta(days=int(days) * (-1 if sign == "-" else 1))
    return datetime.combine(day, time(int(hour), int(minute)), tzinfo=LOCAL_TZ)


def time_problem(where: str, key: str, value: Any, *, now: datetime) -> str | None:
    """The importer's problem line for a bad time (``None`` when ``value`` is fine)."""
    try:
        import_time(value, now=now)
    except ValueError as exc:
        return f"{where} 的 {key} {exc}"
    return None
