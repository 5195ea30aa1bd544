"""The volunteer's answer after an elder visit: 「已走访 + 情况」, what the visit found, and resuming.

The words say what the visit found (见到本人 / 无人应答 / 住院或外出 / 需要帮助); when they do
not, one short question asks whether the volunteer saw the person. 「恢复走访」 ends a pause.
A volunteer's own words about the elder on their rota (「刘奶奶家敲门没人开」「今天去看了刘奶奶
她挺好的」) are the same report without the prefix: about the elder, never the volunteer's home.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, start_form
from bot.replies import Reply, Text
from bot.router import Router
from models.activities import when_label
from models.community import room_label
from models.dispatch import handler_label
from models.people import Person, home_of
from models.tickets import LOCAL_TZ
from models.visit_outcomes import LABEL, VISIT_WORDS, Outcome, names_elder, read_answer, read_outcome
from models.visit_records import VisitResult, choose_rota, record_visit
from models.visits import VisitRota, is_paused, resume_rota, rotas_of

router = Router("visit")

TEXTS = {
    "no_rota": "您目前没有走访任务。如需登记走访，请联系楼栋长。",
    "ask_seen": "见到{elder}本人了吗？回复「见到」或「没见到」。",
    "seen": "已记录您对{elder}的走访（见到本人），谢谢您！{points}下次请在{when}前走访。",
    "points": "已为您记 {points} 积分。",
    "help": "已记录您对{elder}的走访，老人的需要已派单 {code} 给{handler}跟进。谢谢您！{points}",
    "help_nobody": "已记录您对{elder}的走访，老人的需要已登记为 {code}，社区会尽快安排人跟进。谢谢您！{points}",
    "no_answer": (
        "已记录：这次没见到{elder}本人，不算完成走访。已发起紧急核查 {code}{handler}，"
        "请尽量联系老人或家属；见到本人后请回复「已走访 见到了」。如情况紧急请直接拨打 120 或 110。"
    ),
    "away": "已记录：{elder}{reason}。走访已暂停{until}，回来后请回复「恢复走访」，或联系楼栋长恢复。",
    "until": "到{when}",
    "danger": "已通知楼栋长和物业马上核实{elder}的情况。如情况紧急请直接拨打 120 或 110。",
    "check_over": "紧急核查 {codes} 已解除。",
    "resume_none": "您负责的走访没有暂停。",
    "resumed": "已恢复对{elder}的走访，下次请在{when}前走访。",
    "tasks_head": "您的走访任务：",
    "task": "· 走访{elder}（{home}）｜{due}",
    "task_due": "请在{when}前走访",
    "task_late": "已超期，应在{when}前走访",
    "task_paused": "已暂停",
    "tasks_tail": "走访后回复「已走访」加上情况，例如「已走访 {elder}身体挺好」。",
}
_PREFIX = r"\s*(已走访|走访了|已经走访了?|已上门走访|上门走访了)"
_STRIP = re.compile(_PREFIX + r"[\s，,：:。.!！]*")


def _until(ctx: Context) -> datetime | None:
    """The return date the words give (「12月20号回来」), at 09:00 Beijing time, if in the future."""
    try:
        day = date.fromisoformat(str(ctx.slots.get("when", "")))
    except ValueError:
        return None
    moment = datetime.combine(day, time(9, 0), tzinfo=LOCAL_TZ)
    return moment if moment > ctx.now else None


def _reply(ctx: Context, result: VisitResult) -> list[Reply]:
    assert result.elder is not None and result.rota is not None
    elder = result.elder.name or "老人"
    earned = TEXTS["points"].format(points=result.earned) if result.earned else ""
    ticket = result.ticket
    assignee = ctx.session.get(Person, ticket.assignee_id) if ticket and ticket.assignee_id else None
    if result.outcome == Outcome.no_answer:
        handler = f"，已通知{handler_label(assignee)}" if assignee else ""
        text = TEXTS["no_answer"].format(elder=elder, code=ticket.code if ticket else "", handler=handler)
    elif result.outcome == Outcome.away:
        rota = result.rota
        until = TEXTS["until"].format(when=when_label(rota.paused_until)) if rota.paused_until else ""
        text = TEXTS["away"].format(elder=elder, reason=f"（{rota.pause_reason}）", until=until)
    elif result.outcome == Outcome.needs_help and ticket is not None:
        key = "help" if assignee else "help_nobody"
        handler = handler_label(assignee) if assignee else ""
        text = TEXTS[key].format(elder=elder, code=ticket.code, handler=handler, points=earned)
    else:
        text = TEXTS["seen"].format(elder=elder, points=earned, when=when_label(result.rota.next_due_at))
    lines = [text]
    if result.closed:
        lines.append(TEXTS["check_over"].format(codes="、".join(t.code for t in result.closed)))
    if result.alerted and result.outcome != Outcome.no_answer:
        lines.append(TEXTS["danger"].format(elder=elder))
    return [Text("\n".join(lines))]


def _record(ctx: Context, *, outcome: Outcome, note: str, rota: VisitRota | None) -> list[Reply]:
    result = record_visit(
        ctx.session,
        rules=ctx.settings.tickets,
        volunteer=ctx.person,
        outcome=outcome,
        note=note,
        rota=rota,
        now=ctx.now,
        dedupe=ctx.message.dedupe_key,
        points=ctx.settings.points.visit,
        paused_until=_until(ctx) if outcome == Outcome.away else None,
    )
    if result.status == "no_rota":
        return [Text(TEXTS["no_rota"])]
    ctx.session.refresh(result.rota)  # the due time moved by compare-and-set
    return _reply(ctx, result)


def visit_tasks(ctx: Context) -> list[str]:
    """The lines of 「我的任务」 for the visits on the sender's rota (none without a rota)."""
    rotas = rotas_of(ctx.session, volunteer_id=ctx.person.id) if ctx.person.id is not None else []
    elders = [ctx.session.get(Person, rota.elder_id) for rota in rotas]
    names = [(elder.name if elder else "") or "老人" for elder in elders]
    if not rotas:
        return []
    lines = [TEXTS["tasks_head"]]
    for rota, elder, name in zip(rotas, elders, names, strict=True):
        home = home_of(ctx.session, elder) if elder is not None else None
        due = TEXTS[_due(rota, ctx.now)].format(when=when_label(rota.next_due_at))
        lines.append(TEXTS["task"].format(elder=name, home=room_label(*home) if home else "—", due=due))
    return [*lines, TEXTS["tasks_tail"].format(elder=names[0])]


def _due(rota: VisitRota, now: datetime) -> str:
    if is_paused(rota, now):
        return "task_paused"
    return "task_late" if rota.next_due_at < now else "task_due"


def tells_a_visit(ctx: Context) -> bool:
    """Whether a volunteer speaks of the elder on their rota with what the visit found, or of visiting."""
    text = ctx.text
    if _STRIP.match(text) or not (VISIT_WORDS.search(text) or read_outcome(text) is not None):
        return False
    rotas = rotas_of(ctx.session, volunteer_id=ctx.person.id) if ctx.person.id is not None else []
    elders = (ctx.session.get(Person, r.elder_id) for r in rotas)
    return any(e is not None and names_elder(e.name, text) for e in elders)


@router.reader(tells_a_visit)
@router.command(_PREFIX + r"([\s，,：:。.!！].*)?", handles_danger=True)
def on_visited(ctx: Context) -> list[Reply]:
    note = _STRIP.sub("", ctx.text, count=1).strip()
    rota = choose_rota(ctx.session, volunteer=ctx.person, note=note, now=ctx.now)
    if rota is None:
        return [Text(TEXTS["no_rota"])]
    outcome = read_outcome(note)
    if outcome is None:
        return start_form(ctx, VISIT_OUTCOME, {"note": note, "rota_id": rota.id})
    return _record(ctx, outcome=outcome, note=note, rota=rota)


class VisitOutcomeForm(Form):
    """One question when the words did not say whether the volunteer saw the person."""

    name = "visit_outcome"
    title = "走访登记"
    intent = "volunteer"
    required_slots = ("outcome",)
    optional_slots = ("note", "rota_id")
    prompts: ClassVar[dict[str, str]] = {"outcome": TEXTS["ask_seen"]}
    handles_danger = True  # 「没见到」 opens the urgent check itself

    def prompt(self, ctx: Context, slot: str) -> str:
        rota = ctx.session.get(VisitRota, int(ctx.state.slots.get("rota_id") or 0))
        elder = ctx.session.get(Person, rota.elder_id) if rota else None
        return TEXTS["ask_seen"].format(elder=(elder.name if elder else "") or "老人")

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        seen = read_answer(ctx.text)
        if seen is not None:
            return {"outcome": (Outcome.seen if seen else Outcome.no_answer).value}
        outcome = read_outcome(ctx.text)
        return {"outcome": outcome.value} if outcome is not None else {}

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        rota = ctx.session.get(VisitRota, int(slots.get("rota_id") or 0))
        outcome = Outcome(slots["outcome"])
        answer = ctx.text.strip() if read_answer(ctx.text) is None else LABEL[outcome]
        note = "，".join(part for part in (str(slots.get("note") or ""), answer) if part)
        return _record(ctx, outcome=outcome, note=note, rota=rota if rota and rota.active else None)


VISIT_OUTCOME = router.form(VisitOutcomeForm())


@router.command(r"\s*(恢复走访|走访恢复|继续走访)\s*\S{0,8}")
def on_resume(ctx: Context) -> list[Reply]:
    paused = [r for r in rotas_of(ctx.session, volunteer_id=ctx.person.id) if is_paused(r, ctx.now)]  # type: ignore[arg-type]
    named = [
        r for r in paused if (e := ctx.session.get(Person, r.elder_id)) and e.name and e.name in ctx.text
    ]
    if not paused:
        return [Text(TEXTS["resume_none"])]
    rota = resume_rota(ctx.session, rota=(named or paused)[0], now=ctx.now)
    elder = ctx.session.get(Person, rota.elder_id)
    name = (elder.name if elder else "") or "老人"
    return [Text(TEXTS["resumed"].format(elder=name, when=when_label(rota.next_due_at)))]
