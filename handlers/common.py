"""Small helpers shared by handlers: community facts and the person's home, phrased for chat."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.context import Context
from models.base import per_transaction
from models.community import Community, default_community
from models.people import home_label


def _community(ctx: Context) -> Community | None:
    """The community, read once per transaction (a batch of messages shares one)."""
    return per_transaction(ctx.session, "community", lambda: default_community(ctx.session))


def community_name(ctx: Context) -> str:
    community = _community(ctx)
    return community.name if community else "本社区"


def hotline_number(ctx: Context) -> str:
    """The community's hotline as imported, or "" when it has none."""
    community = _community(ctx)
    return community.hotline if community else ""


def hotline(ctx: Context) -> str:
    return hotline_number(ctx) or "物业服务中心电话"


def home(ctx: Context) -> str:
    return home_label(ctx.session, ctx.person)


_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_LEAD = re.compile(r"^(嗯|呃|那个|就是|然后|那就|那|哦|喂)+")


def spoken(text: str) -> str:
    """The words of a message as typed: 「那个 我 想 用 积分 换 东西」 (speech recognition puts a
    space at every pause, fillers first) reads 「我想用积分换东西」."""
    return _LEAD.sub("", _GAP.sub("", text.strip())).strip()


_GENERIC_PAIRS = frozenset({"活动", "报名", "兑换", "积分", "志愿", "服务", "一次", "社区"})
T = TypeVar("T")


def named_in(text: str, items: Sequence[T], name_of: Callable[[T], str]) -> T | None:
    """The one item whose name the text points at by a piece of it (「夜间巡逻」 for 夜间治安巡逻,
    「午餐券」 for 幸福食堂午餐券): the most two-character pieces shared, if no other shares as many."""
    said = spoken(text)
    scores = []
    for item in items:
        name = name_of(item)
        pairs = {name[i : i + 2] for i in range(len(name) - 1)} - _GENERIC_PAIRS
        scores.append(sum(pair in said for pair in pairs))
    best = max(scores, default=0)
    return items[scores.index(best)] if best and scores.count(best) == 1 else None
