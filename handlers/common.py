"""Small helpers shared by handlers: community facts and the person's home, phrased for chat."""

from __future__ import annotations

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
