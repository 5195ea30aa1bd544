"""What needs the community side's attention now, asked in plain words by the secretary, the admin
or a grid worker: 「今天有什么要我处理的」 (emergencies nobody has taken, then how much is overdue and
how much waits for dispatch) and 「现在有哪些紧急求助没人接」 (the emergencies alone).
A grid worker sees their grid; the secretary and admin the whole community.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from models.community import Building
from models.emergencies import alerted_people, unaccepted
from models.people import Role
from models.ticket_queue import late
from models.tickets import OPEN, Ticket
from models.work_queue import awaiting_dispatch

router = Router("attention")

TEXTS = {
    "head": "现在要您关注的：",
    "untaken_head": "紧急求助没人接手 {count} 件：",
    "untaken": "· {code}｜{place}｜{what}｜{since}报告，已通知{names}",
    "untaken_tail": "请催被通知的人回复「接单 {code}」，或派人：「派单 {code} 王师傅」。",
    "none_untaken": "目前没有没人接的紧急求助。",
    "overdue": "超期未办 {count} 件，回复「超期工单」看明细。",
    "no_overdue": "没有超期未办的工单。",
    "waiting": "待派单 {count} 件，回复「我的任务」派单。",
    "no_waiting": "没有待派单的工单。",
}
OVERSEERS = (Role.grid_worker, Role.secretary, Role.admin)
_WHEN = r"(今天|今日|现在|目前|当前|这会儿)?"
ATTENTION = (
    rf"\s*{_WHEN}\s*(还)?(有什么|有啥|有哪些|有没有|需要|要)\s*(要|需要|该)?\s*(我)?\s*"
    r"(处理|关注|办|盯|跟进|管)的?\s*(事|事情|什么|啥)?\s*(吗|呢)?[？?。]*\s*"
)
UNTAKEN = r"[^，,。]{0,10}(紧急求助|紧急工单|紧急单|急单|紧急的单子?)[^，,。]{0,12}[？?。]*"


@router.command(ATTENTION, roles=OVERSEERS)
def what_needs_attention(ctx: Context) -> list[Reply]:
    buildings = _scope(ctx)
    lines = [TEXTS["head"], *_untaken_lines(ctx, buildings)]
    overdue = [
        t
        for t in ctx.session.exec(select(Ticket).where(col(Ticket.status).in_(OPEN), late(ctx.now)))
        if buildings is None or t.building_id in buildings
    ]
    lines.append(TEXTS["overdue"].format(count=len(overdue)) if overdue else TEXTS["no_overdue"])
    waiting = awaiting_dispatch(ctx.session, person=ctx.person)
    lines.append(TEXTS["waiting"].format(count=len(waiting)) if waiting else TEXTS["no_waiting"])
    return [Text("\n".join(lines))]


@router.command(UNTAKEN, roles=OVERSEERS)
def untaken_emergencies(ctx: Context) -> list[Reply]:
    return [Text("\n".join(_untaken_lines(ctx, _scope(ctx))))]


def _untaken_lines(ctx: Context, buildings: frozenset[int] | None) -> list[str]:
    tickets = [t for t in unaccepted(ctx.session) if buildings is None or t.building_id in buildings]
    if not tickets:
        return [TEXTS["none_untaken"]]
    lines = [TEXTS["untaken_head"].format(count=len(tickets))]
    for ticket in tickets:
        names = "、".join(p.name for p in alerted_people(ctx.session, ticket)[:4] if p.name) or "无人"
        lines.append(
            TEXTS["untaken"].format(
                code=ticket.code,
                place=ticket.place or "位置未说明",
                what=ticket.description.split("\n", 1)[0][:20],
                since=_ago(ctx.now, ticket.created_at),
                names=names,
            )
        )
    lines.append(TEXTS["untaken_tail"].format(code=tickets[0].code))
    return lines


def _ago(now: datetime, then: datetime) -> str:
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} 分钟前"
    hours = minutes // 60
    return f"{hours} 小时前" if hours < 24 else f"{hours // 24} 天前"


def _scope(ctx: Context) -> frozenset[int] | None:
    """A grid worker's buildings; None (the whole community) for the secretary and admin."""
    if ctx.person.role != Role.grid_worker:
        return None
    ids = ctx.session.exec(select(Building.id).where(Building.grid_id == ctx.person.grid_id)).all()
    return frozenset(i for i in ids if i is not None)
