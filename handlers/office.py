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
from models.base import month_of, previous_month
from models.community import Building
from models.dispatch import KIND_LABEL
from models.patrol import Subject, file_finding
from models.people import Person, Role, home_of
from models.stats import headline
from models.ticket_actions import said_after, typed_words
from models.ticket_queue import late
from models.tickets import OPEN, STATUS_LABEL, Ticket, by_code, clip, local_time, open_count
from models.work_queue import DISPATCHERS, dispatch_by_hand, dispatches_for, split_override
from models.workers import skill_gap, worker_by_name

router = Router("office")

TEXTS = {
    "no_such": "没有找到 {code}，请核对单号。",
    "need_name": "请写上派给谁，例如「派单 {code} 王师傅」。",
    "no_target": "没有找到工作人员「{name}」，请写全名，例如「派单 {code} 王师傅」。",
    "dispatched": "已把 {code} 派给{name}，已通知他和报告人。",
    "dispatched_over": "已把 {code} 超量派给{name}，原因已记下：{reason}。",
    "skill_gap": "提醒：{name}登记的专长里没有「{category}」，会这个的有：{skilled}。需要换人请回复「转单 {code} 姓名」。",
    "cap": (
        "{name}手上已有 {count} 张未完成工单，到上限了（{cap} 张）。"
        "确要派给他，请回复「派单 {code} {name} 超量 原因」，例如「派单 {code} {name} 超量 其他师傅休假」。"
    ),
    "need_reason": "超量派单要写明原因，例如「派单 {code} {name} 超量 其他师傅休假」。",
    "not_allowed": "{code} 不归您派单，请联系所在网格的网格员。",
    "not_worker": "「{name}」不是工作人员，不能派单给他。",
    "already_theirs": "{code} 已经在{name}名下了。",
    "wrong_status": "{code} 当前是「{status}」，不能派单。",
    "rates_head": "{month}的三率（{today}，{scope}）：",
    "rate": "{label} {value}",
    "rates_count": "{which}工单 {total} 件，未办结 {open} 件。",
    "rates_last_month": "本月才开始，数据还少，回复「上个月的三率」看上月全月。",
    "overdue_head": "超期未办 {count} 件：",
    "overdue": "· {code} {kind}｜{place}｜{what}｜超期 {late}｜{who}",
    "overdue_more": "还有 {count} 件，回复「超期工单」看全部。",
    "no_overdue": "目前没有超期未办的工单。",
    "patrol_where": "请说明在哪里，例如「巡查发现2栋楼道堆放杂物」。",
    "patrol_filed": "已登记巡查任务 {code}，地点 {place}。{routing}",
    "patrol_assigned": "已派给{name}处理。",
    "patrol_waiting": "暂无可派的师傅，请回复「派单 {code} 师傅姓名」派单。",
    "patrol_to_grid": "暂无可派的师傅，已通知网格员派单。",
    "patrol_welfare": "已登记关怀探视 {code}，地点 {place}。这是关心人的事，不派维修师傅：{who}",
    "patrol_order": "已登记秩序问题 {code}，地点 {place}，按邻里事务由社区处理：{who}",
    "patrol_holder": "已交给{name}跟进。",
    "patrol_nobody": "暂时没有可交办的人，请联系社区。",
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
OVERSEERS = (Role.grid_worker, Role.building_head, Role.secretary, Role.admin)
SCOPES = {Role.grid_worker: "本网格", Role.building_head: "本楼"}
PATROLLERS = (Role.grid_worker, Role.building_head, Role.staff, Role.secretary, Role.admin)


@router.command(typed_words("dispatch") + _CODE + r".*", roles=DISPATCHERS, on_ticket=True)
@router.command(
    r"\s*把?" + _CODE + r"\s*" + said_after("dispatch") + r".+", roles=DISPATCHERS
)  # 「把R1038派给王师傅」
def on_dispatch(ctx: Context) -> list[Reply]:
    match = re.search(r"[RDCErdce]\s*\d{4,}", ctx.text)
    code = match.group(0).upper().replace(" ", "") if match else ""
    ticket = by_code(ctx.session, code)
    if ticket is None:
        return [Text(TEXTS["no_such"].format(code=code))]
    rest = ctx.text[match.end() :].strip(" ，,：:。") if match else ""
    rest = re.sub("^" + said_after("dispatch"), "", rest).strip(" ，,：:。给")
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
        return [Text(TEXTS[key].format(**facts, reason=reason) + skill_note(ctx, ticket, target))]
    if outcome.reason == "cap":
        count = open_count(ctx.session, person_id=target.id)  # type: ignore[arg-type]
        return [Text(TEXTS["cap"].format(**facts, count=count, cap=rules.max_open_per_worker))]
    return [Text(TEXTS.get(outcome.reason, TEXTS["wrong_status"]).format(**facts))]


@router.command(
    r"(本月|这个月|当月|上个月|上月|本月的|这个月的|上个月的|上月的)?"
    r"(三率|四率|考核数据|工作数据|统计数据|数据统计|工作统计|数据|满意率|响应率|解决率|化解率)"
    r"(怎么样|如何|多少|是多少|咋样)?[？?。]?",
    roles=OVERSEERS,
)
def on_rates(ctx: Context) -> list[Reply]:
    """This month's figures (「上个月的三率」: last month's, whole), for the sender's scope."""
    buildings = _grid_buildings(ctx)
    last = re.match(r"上个?月", ctx.text) is not None
    month = previous_month(month_of(ctx.now)) if last else month_of(ctx.now)
    figures = headline(
        ctx.session,
        now=ctx.now,
        weights=ctx.settings.tickets.metric_weights,
        month=month,
        building_ids=buildings,
    )
    local = local_time(ctx.now)
    scope = SCOPES[ctx.person.role] if buildings is not None else "全社区"
    lines = [
        TEXTS["rates_head"].format(
            month=f"{int(month[5:])}月",
            today="全月" if last else "截至" + local.split(" ")[0],
            scope=scope,
        )
    ]
    for key, label, meaning in RATE_LABELS:
        value = figures[key]
        shown = f"{value:.0%}（{meaning}）" if value is not None else "暂无数据"
        lines.append(TEXTS["rate"].format(label=label, value=shown))
    which = "当月" if last else "本月"
    lines.append(TEXTS["rates_count"].format(which=which, total=figures["total"], open=figures["open"]))
    if not last and figures["resolution_rate"] is None:
        lines.append(TEXTS["rates_last_month"])
    return [Text("\n".join([*lines, *_overdue_lines(ctx, buildings, OVERDUE_IN_RATES)]))]


@router.command(r"(超期工单|超期|逾期工单|逾期|超时工单|超期未办|超期的工单)[？?。]?", roles=OVERSEERS)
@router.command(
    r".{0,8}(超期|逾期|超时)(了|的|工单|的单子|的工单)?.{0,8}", roles=OVERSEERS
)  # 「现在有几个单子超时了」
def on_overdue(ctx: Context) -> list[Reply]:
    return [Text("\n".join(_overdue_lines(ctx, _grid_buildings(ctx), OVERDUE_LISTED)))]


def skill_note(ctx: Context, ticket: Ticket, target: Person) -> str:
    """「提醒：李师傅登记的专长里没有「水电」…」 when someone else has the skill the work needs."""
    skilled = skill_gap(ctx.session, person=target, category=ticket.category)
    if not skilled:
        return ""
    names = "、".join(p.name for p in skilled)
    return "\n" + TEXTS["skill_gap"].format(
        name=target.name, category=ticket.category, skilled=names, code=ticket.code
    )


def _grid_buildings(ctx: Context) -> frozenset[int] | None:
    """A grid worker sees their grid, a building head her building; the secretary and admin all."""
    if ctx.person.role == Role.building_head:
        return frozenset({ctx.person.building_id}) if ctx.person.building_id is not None else frozenset()
    if ctx.person.role != Role.grid_worker:
        return None
    ids = ctx.session.exec(select(Building.id).where(Building.grid_id == ctx.person.grid_id)).all()
    return frozenset(i for i in ids if i is not None)


def _overdue_lines(ctx: Context, buildings: frozenset[int] | None, limit: int) -> list[str]:
    query = select(Ticket).where(col(Ticket.status).in_(OPEN), late(ctx.now))
    found = [
        t
        for t in ctx.session.exec(query.order_by(col(Ticket.due_at)))
        if buildings is None or t.building_id in buildings
    ]
    if not found:
        return [TEXTS["no_overdue"]]
    lines = [TEXTS["overdue_head"].format(count=len(found))]
    for t in found[:limit]:
        holder = ctx.session.get(Person, t.assignee_id) if t.assignee_id else None
        lines.append(
            TEXTS["overdue"].format(
                code=t.code,
                kind=KIND_LABEL[t.kind],
                place=t.place or "—",
                what=t.category or clip(t.description, 10),
                late=_late((t.paused_at or ctx.now) - t.due_at),
                who=holder.name if holder else STATUS_LABEL[t.status],
            )
        )
    if len(found) > limit:
        lines.append(TEXTS["overdue_more"].format(count=len(found) - limit))
    return lines


def _late(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24} 天" if hours >= 24 else f"{max(hours, 1)} 小时"


@router.command(
    r"\s*(巡查|巡逻|巡检|巡楼|巡视)(中|时|的时候)?\s*(发现|看到|看见)?[:：，,\s]*.{2,}", roles=PATROLLERS
)
def on_patrol(ctx: Context) -> list[Reply]:
    """A finding on patrol is a task at the place it names, filed by what it is about
    (``models.patrol``): people's welfare, order among people, or a repair."""
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
    subject, ticket = file_finding(
        ctx.session,
        rules=ctx.settings.tickets,
        reporter=ctx.person,
        building=building,
        place=place,
        spot=spot,
        category=slots.get("category") or "",
        what=what,
        now=ctx.now,
    )
    holder = ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
    if subject != Subject.facility:
        key = "patrol_welfare" if subject == Subject.welfare else "patrol_order"
        who = TEXTS["patrol_holder"].format(name=holder.name) if holder else TEXTS["patrol_nobody"]
        return [Text(TEXTS[key].format(code=ticket.code, place=place, who=who))]
    if holder is not None:
        routing = TEXTS["patrol_assigned"].format(name=holder.name)
    elif dispatches_for(ctx.session, person=ctx.person, ticket=ticket):
        routing = TEXTS["patrol_waiting"].format(code=ticket.code)
    else:
        routing = TEXTS["patrol_to_grid"]
    return [Text(TEXTS["patrol_filed"].format(code=ticket.code, place=place, routing=routing))]
