"""The community side's own commands, for their roles only (the router filters by role):
派单 R1009 王师傅 (超量 原因) / 本月三率 / 超期工单 / 巡查发现2栋楼道堆放杂物.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from models.base import month_of
from models.community import Building
from models.dispatch import KIND_LABEL, open_ticket
from models.people import Person, Role, home_of
from models.stats import compute
from models.tickets import OPEN, STATUS_LABEL, Ticket, TicketKind, by_code, local_time, open_count
from models.work_queue import DISPATCHERS, dispatch_by_hand, dispatches_for, split_override
from models.workers import worker_by_name

router = Router("office")

TEXTS = {
    "no_such": "没有找到 {code}，请核对单号。",
    "need_name": "请写上派给谁，例如「派单 {code} 王师傅」。",
    "no_target": "没有找到工作人员「{name}」，请写全名，例如「派单 {code} 王师傅」。",
    "dispatched": "已把 {code} 派给{name}，已通知他和报告人。",
    "dispatched_over": "已把 {code} 超量派给{name}，原因已记下：{reason}。",
    "cap": (
        "{name}手上已有 {count} 张未完成工单，到上限了（{cap} 张）。"
        "确要派给他，请回复「派单 {code} {name} 超量 原因」，例如「派单 {code} {name} 超量 其他师傅休假」。"
    ),
    "need_reason": "超量派单要写明原因，例如「派单 {code} {name} 超量 其他师傅休假」。",
    "not_allowed": "{code} 不归您派单，请联系所在网格的网格员。",
    "not_worker": "「{name}」不是工作人员，不能派单给他。",
    "already_theirs": "{code} 已经在{name}名下了。",
    "wrong_status": "{code} 当前是「{status}」，不能派单。",
    "rates_head": "{month}的三率（截至{today}，{scope}）：",
    "rate": "{label} {value}",
    "rates_count": "本月工单 {total} 件，未办结 {open} 件。",
    "overdue_head": "超期未办 {count} 件：",
    "overdue": "· {code} {kind}｜{place}｜{what}｜超期 {late}｜{who}",
    "overdue_more": "还有 {count} 件，回复「超期工单」看全部。",
    "no_overdue": "目前没有超期未办的工单。",
    "patrol_where": "请说明在哪里，例如「巡查发现2栋楼道堆放杂物」。",
    "patrol_filed": "已登记巡查任务 {code}，地点 {place}。{routing}",
    "patrol_assigned": "已派给{name}处理。",
    "patrol_waiting": "暂无可派的师傅，请回复「派单 {code} 师傅姓名」派单。",
    "patrol_to_grid": "暂无可派的师傅，已通知网格员派单。",
}
RATE_LABELS = (
    ("response_rate", "响应率", "按时接单"),
    ("resolution_rate", "解决率", "居民说解决了"),
    ("satisfaction_rate", "满意率", "评4分以上"),
    ("mediation_rate", "化解率", "纠纷双方说化解了"),
)
_CODE = r"\s*([RDCErdce]\s*\d{4,})"
OVERDUE_IN_RATES = 5
OVERDUE_LISTED = 20
OVERSEERS = (Role.grid_worker, Role.secretary, Role.admin)
PATROLLERS = (Role.grid_worker, Role.building_head, Role.staff, Role.secretary, Role.admin)


@router.command(r"(派单|派给|指派)" + _CODE + r".*", roles=DISPATCHERS, on_ticket=True)
def on_dispatch(ctx: Context) -> list[Reply]:
    match = re.search(r"[RDCErdce]\s*\d{4,}", ctx.text)
    code = match.group(0).upper().replace(" ", "") if match else ""
    ticket = by_code(ctx.session, code)
    if ticket is None:
        return [Text(TEXTS["no_such"].format(code=code))]
    rest = ctx.text[match.end() :].strip(" ，,：:。给") if match else ""
    name, reason = split_override(rest)
    if not name:
        return [Text(TEXTS["need_name"].format(code=code))]
    target = worker_by_name(ctx.session, name)
    if target is None:
        return [Text(TEXTS["no_target"].format(name=name, code=code))]
    if reason is not None and not reason:
        return [Text(TEXTS["need_reason"].format(code=code, name=target.name))]
    rules = ctx.settings.tickets
    outcome = dispatch_by_hand(
        ctx.session,
        ticket=ticket,
        actor=ctx.person,
        target=target,
        rules=rules,
        now=ctx.now,
        override=reason or "",
    )
    facts = {"code": code, "name": target.name, "status": STATUS_LABEL[ticket.status]}
    if outcome.ok:
        key = "dispatched_over" if reason else "dispatched"
        return [Text(TEXTS[key].format(**facts, reason=reason))]
    if outcome.reason == "cap":
        count = open_count(ctx.session, person_id=target.id)  # type: ignore[arg-type]
        return [Text(TEXTS["cap"].format(**facts, count=count, cap=rules.max_open_per_worker))]
    return [Text(TEXTS.get(outcome.reason, TEXTS["wrong_status"]).format(**facts))]


@router.command(
    r"(本月|这个月|当月|本月的|这个月的)?(三率|四率|考核数据|工作数据|统计数据|数据统计|工作统计|数据)[？?。]?",
    roles=OVERSEERS,
)
def on_rates(ctx: Context) -> list[Reply]:
    buildings = _grid_buildings(ctx)
    figures = compute(
        ctx.session,
        now=ctx.now,
        weights=ctx.settings.tickets.metric_weights,
        month=month_of(ctx.now),
        building_ids=buildings,
    )
    local = local_time(ctx.now)
    lines = [
        TEXTS["rates_head"].format(
            month=f"{int(month_of(ctx.now)[5:])}月",
            today=local.split(" ")[0],
            scope="本网格" if buildings is not None else "全社区",
        )
    ]
    for key, label, meaning in RATE_LABELS:
        value = figures[key]
        shown = f"{value:.0%}（{meaning}）" if value is not None else "暂无数据"
        lines.append(TEXTS["rate"].format(label=label, value=shown))
    lines.append(TEXTS["rates_count"].format(total=figures["total"], open=figures["open"]))
    return [Text("\n".join([*lines, *_overdue_lines(ctx, buildings, OVERDUE_IN_RATES)]))]


@router.command(r"(超期工单|超期|逾期工单|逾期|超时工单|超期未办|超期的工单)[？?。]?", roles=OVERSEERS)
def on_overdue(ctx: Context) -> list[Reply]:
    return [Text("\n".join(_overdue_lines(ctx, _grid_buildings(ctx), OVERDUE_LISTED)))]


def _grid_buildings(ctx: Context) -> frozenset[int] | None:
    """A grid worker sees their grid; the secretary and admin the whole community."""
    if ctx.person.role != Role.grid_worker:
        return None
    ids = ctx.session.exec(select(Building.id).where(Building.grid_id == ctx.person.grid_id)).all()
    return frozenset(i for i in ids if i is not None)


def _overdue_lines(ctx: Context, buildings: frozenset[int] | None, limit: int) -> list[str]:
    query = select(Ticket).where(col(Ticket.status).in_(OPEN), col(Ticket.due_at) < ctx.now)
    late = [
        t
        for t in ctx.session.exec(query.order_by(col(Ticket.due_at)))
        if buildings is None or t.building_id in buildings
    ]
    if not late:
        return [TEXTS["no_overdue"]]
    lines = [TEXTS["overdue_head"].format(count=len(late))]
    for t in late[:limit]:
        holder = ctx.session.get(Person, t.assignee_id) if t.assignee_id else None
        lines.append(
            TEXTS["overdue"].format(
                code=t.code,
                kind=KIND_LABEL[t.kind],
                place=t.place or "—",
                what=t.category or t.description[:10],
                late=_late(ctx.now - t.due_at),
                who=holder.name if holder else STATUS_LABEL[t.status],
            )
        )
    if len(late) > limit:
        lines.append(TEXTS["overdue_more"].format(count=len(late) - limit))
    return lines


def _late(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24} 天" if hours >= 24 else f"{max(hours, 1)} 小时"


@router.command(
    r"\s*(巡查|巡逻|巡检|巡楼|巡视)(中|时|的时候)?\s*(发现|看到|看见)?[:：，,\s]*.{2,}", roles=PATROLLERS
)
def on_patrol(ctx: Context) -> list[Reply]:
    """A finding on patrol is a task for the property: a work order at the place it names."""
    slots = ctx.slots
    building = None
    if slots.get("building"):
        building = ctx.session.exec(select(Building).where(Building.number == slots["building"])).first()
    if building is None and ctx.person.building_id is not None:
        building = ctx.session.get(Building, ctx.person.building_id)
    if building is None and (home := home_of(ctx.session, ctx.person)) is not None:
        building = home[0]
    if building is None:
        return [Text(TEXTS["patrol_where"])]
    what = re.sub(
        r"^\s*(巡查|巡逻|巡检|巡楼|巡视)(中|时|的时候)?\s*(发现|看到|看见)?[:：，,\s]*", "", ctx.text
    )
    spot = slots.get("spot", "")
    unit = f"{slots['unit']}单元" if slots.get("unit") and building.number == slots.get("building") else ""
    place = f"{building.label}{unit}{spot}"
    ticket = open_ticket(
        ctx.session,
        rules=ctx.settings.tickets,
        kind=TicketKind.repair,
        reporter=ctx.person,
        now=ctx.now,
        category=slots.get("category") or "其他",
        building_id=building.id,
        spot=spot,
        place=place,
        description=("巡查发现：" + what.strip())[:500],
    )
    holder = ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
    if holder is not None:
        routing = TEXTS["patrol_assigned"].format(name=holder.name)
    elif dispatches_for(ctx.session, person=ctx.person, ticket=ticket):
        routing = TEXTS["patrol_waiting"].format(code=ticket.code)
    else:
        routing = TEXTS["patrol_to_grid"]
    return [Text(TEXTS["patrol_filed"].format(code=ticket.code, place=place, routing=routing))]
