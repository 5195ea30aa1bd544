"""A staff member's words about the work they hold, said with no ticket code.

「我到了 正在修」 marks the one order they hold as being worked on; 「修好了 换了个新的角阀」 finishes
it with that note; a building head's 「到现场了 …已经灭了 没事了」 closes the incident she was alerted
to (taking it first), and her words from the scene go to everyone else alerted;
「我去602敲门聊过了 他们说以后注意」 goes into the mediation record. Holding several, they are asked
which; holding none, told so. The dispatcher decides a message is one of these (``bot.dispatcher``).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, start_form
from bot.replies import Reply, Text
from bot.router import Router
from models.dispatch import KIND_LABEL, accept, resolve, start
from models.disputes import add_note
from models.emergencies import tell_said, tell_taken
from models.held_work import held_work, meant
from models.people import Person
from models.ticket_actions import ACTIONS, said_alone
from models.tickets import CODE, STATUS_LABEL, Ticket, TicketKind, TicketStatus, by_code, clip, record

router = Router("work_report")

TEXTS = {
    "none": "您手上没有在办的工单。查看请回复「我的任务」；要报告新情况，请直接说明地点和情况。",
    "which": "您手上有 {count} 张在办的工单，您说的是哪一张？\n{lines}\n请回复单号，例如「{code}」。",
    "line": "· {code} {kind}｜{place}｜{what}｜{status}",
    "not_held": "{code} 不在您手上，没法这样记录。查看您的工单请回复「我的任务」。",
    "not_listed": "请回复上面列出的单号之一，例如「{code}」。",
    "started": "好的，已记下您到场，{code}（{place}）已标记为处理中。处理好后直接说「处理好了」加上说明。",
    "resolved": "已完成 {code}（{place}），已通知居民确认和评价。有现场照片可以直接发过来（最多4张）。",
    "cleared": "已完成 {code}（{place}），已告诉其他收到通知的人员不用赶来了。",
    "noted": "已记入 {code}（{place}）的处理记录。",
    "mediation": "已记入 {code} 的调解记录。调解结束请回复「结案 {code} 已化解」或「结案 {code} 未化解」。",
    "held_by": "已记入 {code}（{place}），并转告了接手的{name}等人员。",
    "cannot": "{code} 当前状态是「{status}」，没能记上。需要的话请回复「我的任务」查看。",
    "push_taken": "【已接手】{code}（{place}）：{name}已接手处理，其他人员请保持联系、按需支援。",
    "push_field": "【现场】{code}（{place}）：{name}说「{text}」",
    "push_cleared": "【已处理】{code}（{place}）：{name}说「{text}」。不用再赶往现场。",
}
_RESOLVE_FIRST = re.compile("^(" + "|".join(ACTIONS["resolve"].alone) + r")[，,。！!~\s]*")
_MEDIATED = (TicketKind.dispute, TicketKind.complaint)


@router.work_report
def on_work_report(ctx: Context) -> list[Reply]:
    """The words act on the one ticket they can be about; with several, ask which; with none, say so."""
    action = said_alone(ctx.text) or "note"
    held = held_work(ctx.session, person=ctx.person)
    named = CODE.search(ctx.text)
    if named is not None:  # 「R1002 我到了」: that one, if it is theirs
        code = named.group(0).upper().replace(" ", "")
        tickets = [t for t in held if t.code == code]
        if not tickets:
            return [Text(TEXTS["not_held"].format(code=code))]
    else:
        tickets = meant(held, ctx.text)
    if not tickets:
        return [Text(TEXTS["none"])]
    if len(tickets) > 1:
        slots = {"words": ctx.text.strip()[:500], "action": action, "ids": [t.id for t in tickets]}
        return start_form(ctx, WHICH_WORK, {**slots})
    return carry_out(ctx, tickets[0], action=action, words=ctx.text.strip())


def carry_out(ctx: Context, ticket: Ticket, *, action: str, words: str) -> list[Reply]:
    """Do what the words say to ``ticket``: note them, mark the arrival, or finish it with them."""
    person, facts = ctx.person, {"code": ticket.code, "place": ticket.place or "未注明地点"}
    if ticket.assignee_id not in (None, person.id):  # an incident someone else took: tell them
        _note(ctx, ticket, words)
        holder = ctx.session.get(Person, ticket.assignee_id)
        return [Text(TEXTS["held_by"].format(**facts, name=holder.name if holder else "同事"))]
    if ticket.kind in _MEDIATED and action != "start":
        outcome = add_note(ctx.session, ticket=ticket, actor=person, text=words, now=ctx.now)
        return [Text(TEXTS["mediation" if outcome.ok else "cannot"].format(**facts, status=_status(ticket)))]
    if action == "note":
        _note(ctx, ticket, words)
        return [Text(TEXTS["noted"].format(**facts))]
    if not _take(ctx, ticket, quietly=action == "resolve"):
        return [Text(TEXTS["cannot"].format(**facts, status=_status(ticket)))]
    if action == "start":
        if ticket.status == TicketStatus.accepted:
            start(ctx.session, ticket=ticket, actor=person, now=ctx.now)
        if ticket.kind == TicketKind.emergency:
            _note(ctx, ticket, words)
        return [Text(TEXTS["started"].format(**facts))]
    note = _RESOLVE_FIRST.sub("", words) or words
    rules = ctx.settings.tickets
    outcome = resolve(ctx.session, ticket=ticket, actor=person, note=note, rules=rules, now=ctx.now)
    if not outcome.ok:
        return [Text(TEXTS["cannot"].format(**facts, status=_status(ticket)))]
    if ticket.kind != TicketKind.emergency:
        return [Text(TEXTS["resolved"].format(**facts))]
    _tell_alerted(ctx, ticket, TEXTS["push_cleared"], words)
    return [Text(TEXTS["cleared"].format(**facts))]


def _take(ctx: Context, ticket: Ticket, *, quietly: bool) -> bool:
    """Accept the ticket when it is not accepted yet (an incident nobody took, an order dispatched);
    the others alerted to an incident hear who took it, unless it is finished at once."""
    if ticket.status not in (TicketStatus.submitted, TicketStatus.dispatched, TicketStatus.reopened):
        return ticket.assignee_id == ctx.person.id
    taken = accept(ctx.session, ticket=ticket, person=ctx.person, rules=ctx.settings.tickets, now=ctx.now)
    if taken.ok and ticket.kind == TicketKind.emergency and not quietly:
        tell_taken(ctx.session, ticket=ticket, taker=ctx.person, text=TEXTS["push_taken"], now=ctx.now)
    return taken.ok


def _note(ctx: Context, ticket: Ticket, words: str) -> None:
    """The words on the ticket's record; from the scene of an incident, to everyone alerted too."""
    record(ctx.session, ticket=ticket, action="note", actor_id=ctx.person.id, now=ctx.now, note=words[:500])
    if ticket.kind == TicketKind.emergency:
        _tell_alerted(ctx, ticket, TEXTS["push_field"], words)


def _tell_alerted(ctx: Context, ticket: Ticket, push: str, words: str) -> None:
    text = push.replace("{name}", ctx.person.name or "工作人员")
    tell_said(ctx.session, ticket=ticket, words=words, push=text, now=ctx.now, besides=ctx.person.id)


def _status(ticket: Ticket) -> str:
    return STATUS_LABEL[ticket.status]


class WhichWork(Form):
    """Which of the tickets one holds the words were about: one question, answered by a code."""

    name = "which_work"
    title = "工单处理"
    intent = "progress"
    required_slots = ("code",)
    optional_slots = ("words", "action", "ids")
    prompts: ClassVar[dict[str, str]] = {"code": TEXTS["which"]}

    def _tickets(self, ctx: Context) -> list[Ticket]:
        ids = ctx.state.slots.get("ids") or []
        found = (ctx.session.get(Ticket, int(i)) for i in ids)
        return [t for t in found if t is not None]

    def prompt(self, ctx: Context, slot: str) -> str:
        tickets = self._tickets(ctx)
        lines = "\n".join(
            TEXTS["line"].format(
                code=t.code,
                kind=KIND_LABEL[t.kind],
                place=t.place or "—",
                what=t.category or clip(t.description, 12),
                status=_status(t),
            )
            for t in tickets
        )
        code = tickets[0].code if tickets else "R1001"
        return TEXTS["which"].format(count=len(tickets), lines=lines, code=code)

    def unclear(self, ctx: Context, slot: str) -> str:
        tickets = self._tickets(ctx)
        return TEXTS["not_listed"].format(code=tickets[0].code if tickets else "R1001")

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        named = CODE.search(ctx.text)
        if named is None:
            return {}
        code = named.group(0).upper().replace(" ", "")
        return {"code": code} if any(t.code == code for t in self._tickets(ctx)) else {}

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        ticket = by_code(ctx.session, str(slots["code"]))
        if ticket is None:
            return [Text(TEXTS["none"])]
        return carry_out(
            ctx, ticket, action=str(slots.get("action") or "note"), words=str(slots.get("words"))
        )


WHICH_WORK = router.form(WhichWork())
