"""Commands for building heads, grid workers, staff, secretaries (usually from WeCom):
接单 / 抢单 / 开始 / 转单 R1024 李师傅 (超量 原因) / 退单 R1024 原因 / 完成 R1024 说明 (+ photo) / 我的任务 /
调解 D1025 记录 / 协议 D1025 内容 / 结案 D1025 已化解|未化解|转交 部门. Residents are refused politely.
Image messages also land here: a photo right after 「完成」 attaches to that ticket.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.fallback import TEXTS as FALLBACK_TEXTS
from handlers.office import skill_note
from handlers.progress import on_progress
from handlers.visit import visit_tasks
from models.dispatch import KIND_LABEL, accept, resolve, start, transfer
from models.disputes import add_note, conclude, set_agreement
from models.emergencies import tell_taken, unaccepted
from models.people import Person, describe
from models.routing import return_ticket, suggested_worker
from models.ticket_actions import said_after, typed_words
from models.ticket_queue import is_late
from models.tickets import (
    OPEN,
    OUTCOMES,
    STATUS_LABEL,
    WORKING,
    Ticket,
    TicketKind,
    TicketStatus,
    by_code,
    clip,
    local_time,
    open_count,
)
from models.work_queue import awaiting_dispatch, split_override
from models.workers import WORKER_ROLES, is_worker, worker_by_name

router = Router("worker")

TEXTS = {
    "residents_only": "这个指令是给工作人员用的。您可以回复「我的报修」查看进度，或「催单」催一下。",
    "no_such": "没有找到 {code}，请核对单号。",
    "accepted": "已接单 {code}：{place}，{what}。报告人：{reporter}。请在 {due} 前处理，完成后回复「完成 {code} 处理说明」。",
    "accepted_dispute": (
        "已接调解 {code}：对方 {place}，{what}。反映人：{reporter}（不要向对方透露）。请在 {due} 前调解。"
        "过程可回复「调解 {code} 记录内容」，谈妥回复「协议 {code} 内容」，"
        "结束回复「结案 {code} 已化解」或「结案 {code} 未化解」。"
    ),
    "taken": "手慢了，{code} 已被{holder}接走。",
    "already_yours": "{code} 已经在您名下了。",
    "cap": "您手上未完成的工单已达上限，请先完成再接新单。",
    "wrong_status": "{code} 当前状态是「{status}」，不能这样操作。",
    "not_yours": "{code} 不在您名下，不能这样操作。",
    "started": "好的，{code} 已标记为处理中。",
    "transferred": "已把 {code} 转给{name}。",
    "transfer_cap": (
        "{name}手上已有 {count} 张未完成工单，到上限了。确要转给他，请回复「转单 {code} {name} 超量 原因」。"
    ),
    "transfer_reason": "超量转单要写明原因，例如「转单 {code} {name} 超量 其他师傅休假」。",
    "no_target": "没有找到工作人员「{name}」，请写全名，例如「转单 {code} 李师傅」。",
    "returned": "已退回 {code}，会重新派单。",
    "need_reason": "请说明退单原因，例如「退单 {code} 需要专业厂家维修」。",
    "resolved": "已完成 {code}，已通知居民确认和评价。有现场照片可以直接发过来（最多4张）。",
    "photo": "照片已附到 {code}（{count}/4）。",
    "no_tasks": "您目前没有未完成的工单。",
    "tasks_head": "您的未完成工单：",
    "push_taken": "【已接手】{code}（{place}）：{name}已接手处理，其他人员请保持联系、按需支援。",
    "emergencies_head": "紧急求助，已通知您，还没人接手：",
    "emergencies_tail": "接手请回复「接单 {code}」。",
    "task": "· {code} {kind}｜{place}｜{what}｜{status}｜期限 {due}{late}",
    "late": "｜已超期",
    "to_dispatch_head": "待您派单：",
    "to_dispatch_tail": "派单请回复「派单 {code} {name}」，师傅可换成别人。",
    "noted": "已记入 {code} 的调解记录。",
    "agreement": "已保存 {code} 的调解协议。结案请回复「结案 {code} 已化解」。",
    "concluded": "{code} 已结案：{outcome}。",
    "bad_outcome": "请写明结果：「结案 {code} 已化解」「结案 {code} 未化解」或「结案 {code} 转交 区住建局」。",
    "not_dispute": "{code} 不是纠纷调解单。",
}

_CODE = r"\s*([RDCErdce]\s*\d{4,})"
PHOTO_WINDOW = timedelta(minutes=30)
MAX_PHOTOS = 4


def _load(ctx: Context) -> tuple[Ticket | None, list[Reply]]:
    if not is_worker(ctx.person):
        return None, [Text(TEXTS["residents_only"])]
    match = re.search(r"[RDCErdce]\s*\d{4,}", ctx.text)
    code = match.group(0).upper().replace(" ", "") if match else ""
    ticket = by_code(ctx.session, code) if code else None
    if ticket is None:
        return None, [Text(TEXTS["no_such"].format(code=code))]
    return ticket, []


def _refusal(ticket: Ticket, reason: str, holder: str = "") -> list[Reply]:
    key = reason if reason in TEXTS else "wrong_status"
    return [
        Text(
            TEXTS[key].format(
                code=ticket.code, holder=holder or "其他同事", status=STATUS_LABEL[ticket.status]
            )
        )
    ]


def _rest(text: str) -> str:
    """What follows the ticket code."""
    return re.split(r"[RDCErdce]\s*\d{4,}", text, maxsplit=1)[-1].strip(" ，,：:。")


@router.command(typed_words("accept", "grab") + _CODE + r"[。！!]?", on_ticket=True)
def on_accept(ctx: Context) -> list[Reply]:
    ticket, problem = _load(ctx)
    if ticket is None:
        return problem
    outcome = accept(ctx.session, ticket=ticket, person=ctx.person, rules=ctx.settings.tickets, now=ctx.now)
    if not outcome.ok:
        return _refusal(ticket, outcome.reason, outcome.holder)
    reporter = ctx.session.get(Person, ticket.reporter_id)
    facts = {
        "code": ticket.code,
        "place": ticket.place or "未注明",
        "what": ticket.category or clip(ticket.description, 20),
    }
    who = describe(ctx.session, reporter) if reporter else "—"
    if ticket.kind == TicketKind.emergency:  # the others alerted stand by instead of all running
        tell_taken(ctx.session, ticket=ticket, taker=ctx.person, text=TEXTS["push_taken"], now=ctx.now)
    key = "accepted_dispute" if ticket.kind == TicketKind.dispute else "accepted"
    return [Text(TEXTS[key].format(**facts, reporter=who, due=local_time(ticket.due_at)))]


@router.command(typed_words("start") + _CODE + r"[。！!]?", on_ticket=True)
def on_start(ctx: Context) -> list[Reply]:
    ticket, problem = _load(ctx)
    if ticket is None:
        return problem
    outcome = start(ctx.session, ticket=ticket, actor=ctx.person, now=ctx.now)
    return (
        [Text(TEXTS["started"].format(code=ticket.code))] if outcome.ok else _refusal(ticket, outcome.reason)
    )


@router.command(typed_words("transfer") + _CODE + r".*", on_ticket=True)
def on_transfer(ctx: Context) -> list[Reply]:
    ticket, problem = _load(ctx)
    if ticket is None:
        return problem
    name, reason = split_override(_rest(ctx.text).replace("给", "", 1).strip())
    target = worker_by_name(ctx.session, name) if name else None
    if target is None:
        return [Text(TEXTS["no_target"].format(name=name, code=ticket.code))]
    facts = {"code": ticket.code, "name": target.name}
    if reason == "":
        return [Text(TEXTS["transfer_reason"].format(**facts))]
    rules = ctx.settings.tickets
    outcome = transfer(
        ctx.session,
        ticket=ticket,
        actor=ctx.person,
        target=target,
        rules=rules,
        now=ctx.now,
        override=reason or "",
    )
    if outcome.reason == "cap":
        count = open_count(ctx.session, person_id=target.id)  # type: ignore[arg-type]
        return [Text(TEXTS["transfer_cap"].format(**facts, count=count))]
    if not outcome.ok:
        return _refusal(ticket, outcome.reason, outcome.holder)
    return [Text(TEXTS["transferred"].format(**facts) + skill_note(ctx, ticket, target))]


@router.command(typed_words("return") + _CODE + r".*", on_ticket=True)
def on_return(ctx: Context) -> list[Reply]:
    ticket, problem = _load(ctx)
    if ticket is None:
        return problem
    reason = _rest(ctx.text)
    if not reason:
        return [Text(TEXTS["need_reason"].format(code=ticket.code))]
    outcome = return_ticket(
        ctx.session, ticket=ticket, actor=ctx.person, reason=reason, rules=ctx.settings.tickets, now=ctx.now
    )
    return (
        [Text(TEXTS["returned"].format(code=ticket.code))] if outcome.ok else _refusal(ticket, outcome.reason)
    )


@router.command(typed_words("resolve") + _CODE + r".*", on_ticket=True)
def on_resolve(ctx: Context) -> list[Reply]:
    ticket, problem = _load(ctx)
    if ticket is None:
        return problem
    if ticket.kind == TicketKind.dispute:
        return [Text(TEXTS["bad_outcome"].format(code=ticket.code))]
    outcome = resolve(
        ctx.session,
        ticket=ticket,
        actor=ctx.person,
        note=re.sub("^" + said_after("resolve") + r"[，,。！!~\s]*", "", _rest(ctx.text)),
        rules=ctx.settings.tickets,
        now=ctx.now,
    )
    if not outcome.ok:
        return _refusal(ticket, outcome.reason, outcome.holder)
    return [Text(TEXTS["resolved"].format(code=ticket.code))]


@router.command(_CODE + r"\s*" + said_after("accept") + r"[。！!]?", roles=WORKER_ROLES)
def on_accept_in_words(ctx: Context) -> list[Reply]:
    """「R1028 我接了」, from a worker: 接单."""
    return on_accept(ctx)


@router.command(_CODE + r"\s*" + said_after("resolve") + r"[，,。！!~\s]*.*", roles=WORKER_ROLES)
def on_resolve_in_words(ctx: Context) -> list[Reply]:
    """「R1032修好了 换了个马桶盖」: 完成 from the worker who has it; from anyone else (a staff
    member who reported it themself) the resident's 「修好了」."""
    match = re.search(r"[RDCErdce]\s*\d{4,}", ctx.text)
    ticket = by_code(ctx.session, match.group(0).upper().replace(" ", "")) if match else None
    if ticket is not None and ticket.assignee_id == ctx.person.id:
        return on_resolve(ctx)
    return on_progress(ctx)


@router.command(r"(我的任务|我的工单任务|待办|我的派单|待派单)[？?。]?", staff=True)
@router.command(  # 「今天有啥任务」「还有啥活」「我今天的工单」
    r".{0,6}(有啥|有什么|还有啥|还有什么|今天的|今日的|手上的)(任务|活儿?|工单|单子|要处理的).{0,6}",
    roles=WORKER_ROLES,
)
def my_tasks(ctx: Context) -> list[Reply]:
    """The sender's open work: incidents alerted to them, their tickets, those to dispatch, their visits."""
    visits = visit_tasks(ctx)
    if not is_worker(ctx.person):
        return [Text("\n".join(visits) if visits else TEXTS["residents_only"])]
    query = select(Ticket).where(Ticket.assignee_id == ctx.person.id, col(Ticket.status).in_(OPEN))
    tickets = list(ctx.session.exec(query.order_by(col(Ticket.due_at))))
    waiting = awaiting_dispatch(ctx.session, person=ctx.person)
    emergencies = unaccepted(ctx.session, person=ctx.person)  # pushed to them, nobody has taken it
    if not tickets and not waiting and not emergencies:
        return [Text("\n".join(visits) if visits else TEXTS["no_tasks"])]
    lines = [TEXTS["emergencies_head"], *(_task_line(t, ctx.now) for t in emergencies)] if emergencies else []
    if emergencies:
        lines.append(TEXTS["emergencies_tail"].format(code=emergencies[0].code))
    lines += [TEXTS["tasks_head"], *(_task_line(t, ctx.now) for t in tickets)] if tickets else []
    if waiting:
        suggested = suggested_worker(ctx.session, ticket=waiting[0], rules=ctx.settings.tickets)
        name = suggested.name if suggested else "王师傅"
        lines += [TEXTS["to_dispatch_head"], *(_task_line(t, ctx.now) for t in waiting)]
        lines.append(TEXTS["to_dispatch_tail"].format(code=waiting[0].code, name=name))
    return [Text("\n".join(lines + visits))]


def _task_line(t: Ticket, now: datetime) -> str:
    return TEXTS["task"].format(
        late=TEXTS["late"] if is_late(t, now=now) else "",
        code=t.code,
        kind=KIND_LABEL[t.kind],
        place=t.place or "—",
        what=t.category or clip(t.description, 12),
        status=STATUS_LABEL[t.status],
        due=local_time(t.due_at),
    )


def _dispute(ctx: Context) -> tuple[Ticket | None, list[Reply]]:
    ticket, problem = _load(ctx)
    if ticket is not None and ticket.kind not in (TicketKind.dispute, TicketKind.complaint):
        return None, [Text(TEXTS["not_dispute"].format(code=ticket.code))]
    return ticket, problem


@router.command(typed_words("mediation_note") + _CODE + r".+", on_ticket=True)
def on_note(ctx: Context) -> list[Reply]:
    ticket, problem = _dispute(ctx)
    if ticket is None:
        return problem
    outcome = add_note(ctx.session, ticket=ticket, actor=ctx.person, text=_rest(ctx.text), now=ctx.now)
    return [Text(TEXTS["noted"].format(code=ticket.code))] if outcome.ok else _refusal(ticket, outcome.reason)


@router.command(typed_words("agreement") + _CODE + r".+", on_ticket=True)
def on_agreement(ctx: Context) -> list[Reply]:
    ticket, problem = _dispute(ctx)
    if ticket is None:
        return problem
    outcome = set_agreement(ctx.session, ticket=ticket, actor=ctx.person, text=_rest(ctx.text), now=ctx.now)
    return (
        [Text(TEXTS["agreement"].format(code=ticket.code))]
        if outcome.ok
        else _refusal(ticket, outcome.reason)
    )


@router.command(typed_words("conclude") + _CODE + r".*", on_ticket=True)
def on_conclude(ctx: Context) -> list[Reply]:
    ticket, problem = _dispute(ctx)
    if ticket is None:
        return problem
    rest = _rest(ctx.text)
    if rest.startswith("已化解"):
        outcome_key, department = "resolved", ""
    elif rest.startswith("未化解"):
        outcome_key, department = "unresolved", ""
    elif rest.startswith(("转交", "转")):
        outcome_key, department = "referred", re.sub(r"^(转交职能部门|转交|转)\s*", "", rest).strip()
    else:
        return [Text(TEXTS["bad_outcome"].format(code=ticket.code))]
    if ticket.kind == TicketKind.complaint:
        outcome = resolve(
            ctx.session, ticket=ticket, actor=ctx.person, note=rest, rules=ctx.settings.tickets, now=ctx.now
        )
    else:
        outcome = conclude(
            ctx.session,
            ticket=ticket,
            actor=ctx.person,
            outcome=outcome_key,
            department=department,
            rules=ctx.settings.tickets,
            now=ctx.now,
        )
    if not outcome.ok:
        return _refusal(ticket, outcome.reason, outcome.holder)
    return [Text(TEXTS["concluded"].format(code=ticket.code, outcome=OUTCOMES[outcome_key]))]


@router.kind("image")
def on_image(ctx: Context) -> list[Reply]:
    """A photo: to the ticket this person just completed (worker) or just filed (resident)."""
    since = ctx.now - PHOTO_WINDOW
    if is_worker(ctx.person):
        query = select(Ticket).where(
            Ticket.resolved_by_id == ctx.person.id,
            Ticket.status == TicketStatus.resolved,
            col(Ticket.resolved_at) >= since,
        )
        column = "resolution_photos"
    else:
        query = select(Ticket).where(
            Ticket.reporter_id == ctx.person.id,
            col(Ticket.status).in_((*WORKING, TicketStatus.submitted)),
            col(Ticket.created_at) >= since,
        )
        column = "photos"
    ticket = ctx.session.exec(query.order_by(col(Ticket.id).desc())).first()
    photos = list(getattr(ticket, column)) if ticket else []
    if ticket is None or len(photos) >= MAX_PHOTOS:
        return [Text(FALLBACK_TEXTS["media"])]
    photos.append(ctx.message.picture_url or ctx.message.media_id)
    setattr(ticket, column, photos)
    ctx.session.add(ticket)
    return [Text(TEXTS["photo"].format(code=ticket.code, count=len(photos)))]
