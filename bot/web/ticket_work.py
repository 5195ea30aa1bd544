"""Ticket work in the console besides dispatch: pause/resume, force-complete, 回访, a dispute's outcome.

Each goes through a models/ service with the person logged in on the timeline and in the audit
log. Force-complete and a dispute's outcome tell residents, so they ask first (``bot.web.confirm``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from bot.api.deps import NowDep, SessionDep
from bot.web.common import ConsoleDep, back
from bot.web.confirm import Confirmed, Question, ask, fingerprint
from bot.web.fields import Text
from bot.web.tickets import visible_ticket
from models.access import Actor, audit
from models.dispatch import Outcome
from models.disputes import conclude
from models.mediation import other_party_people
from models.people import Person, pushable
from models.ticket_work import force_complete, pause, record_callback, resume
from models.tickets import OUTCOMES, Ticket, TicketKind

router = APIRouter(prefix="/console", include_in_schema=False)
Choice = Annotated[str, Form(max_length=16)]
REASONS = {
    "wrong_status": "工单当前状态不能这样操作",
    "paused": "工单已经暂停了",
    "not_paused": "工单没有暂停",
    "not_yours": "不是您的工单",
}


def _path(ticket_id: int) -> str:
    return f"/console/tickets/{ticket_id}"


def _finish(
    session: Session,
    actor: Actor,
    result: Outcome,
    *,
    action: str,
    ticket: Ticket,
    now: datetime,
    **detail: object,
) -> None:
    """Audit a change that happened, in the same transaction."""
    if result.ok:
        audit(session, actor=actor, action=action, now=now, target=f"ticket:{ticket.id}", **detail)


def _answer(ticket_id: int, outcome: Outcome, ok: str) -> Response:
    if not outcome.ok:
        return back(_path(ticket_id), error=f"操作未完成：{REASONS.get(outcome.reason, outcome.reason)}")
    return back(_path(ticket_id), ok=ok)


def _needs_reason(ticket_id: int, reason: str, form: str) -> Response | None:
    if reason.strip():
        return None
    action = f"{_path(ticket_id)}/{form}"
    return back(_path(ticket_id), error="请写明原因。", fields={"reason": "请写明原因"}, action=action)


@router.post("/tickets/{ticket_id}/pause")
def pause_ticket(
    ticket_id: int, session: SessionDep, actor: ConsoleDep, now: NowDep, reason: Text = ""
) -> Response:
    if refused := _needs_reason(ticket_id, reason, "pause"):
        return refused
    with session.begin():
        ticket = visible_ticket(session, ticket_id, actor)
        outcome = pause(
            session, ticket=ticket, reason=reason, actor_id=actor.person_id, actor_label=actor.label, now=now
        )
        _finish(session, actor, outcome, action="ticket.pause", ticket=ticket, now=now, note=reason)
    return _answer(ticket_id, outcome, "工单已暂停，时限停止计算。")


@router.post("/tickets/{ticket_id}/resume")
def resume_ticket(
    ticket_id: int, session: SessionDep, actor: ConsoleDep, now: NowDep, reason: Text = ""
) -> Response:
    if refused := _needs_reason(ticket_id, reason, "resume"):
        return refused
    with session.begin():
        ticket = visible_ticket(session, ticket_id, actor)
        outcome = resume(
            session, ticket=ticket, reason=reason, actor_id=actor.person_id, actor_label=actor.label, now=now
        )
        _finish(session, actor, outcome, action="ticket.resume", ticket=ticket, now=now, note=reason)
    return _answer(ticket_id, outcome, "工单已恢复办理，时限顺延了暂停的时间。")


def _reporter(session: Session, ticket: Ticket) -> str:
    person = session.get(Person, ticket.reporter_id)
    return (person.name if person and person.name else "报告的居民") + "（1 人）"


@router.post("/tickets/{ticket_id}/force-complete")
def force_complete_ticket(
    request: Request,
    ticket_id: int,
    session: SessionDep,
    actor: ConsoleDep,
    now: NowDep,
    reason: Text = "",
    confirmed: Confirmed = "",
) -> Response:
    if refused := _needs_reason(ticket_id, reason, "force-complete"):
        return refused
    with session.begin():
        ticket = visible_ticket(session, ticket_id, actor)
        question = Question(
            title="强制完成工单",
            question=f"把 {ticket.code} 记为已完成？",
            button="确认强制完成",
            expected=fingerprint("ticket.force_complete", ticket_id, ticket.status, reason),
            facts=[
                f"原因：{reason}",
                f"会在微信里告诉报告人：{_reporter(session, ticket)}，并请 TA 评价；没修好 TA 可以回复「没修好」。"
                if pushable(session.get(Person, ticket.reporter_id))
                else "报告人没有绑定微信，不会收到消息；请电话告知。",
            ],
            danger=True,
        )
    if confirmed != question.expected:
        return ask(
            request,
            actor,
            session,
            question,
            action=f"{_path(ticket_id)}/force-complete",
            back_to=_path(ticket_id),
            fields={"reason": reason},
        )
    with session.begin():
        ticket = visible_ticket(session, ticket_id, actor)
        outcome = force_complete(
            session,
            ticket=ticket,
            reason=reason,
            rules=request.app.state.settings.tickets,
            actor_id=actor.person_id,
            actor_label=actor.label,
            now=now,
        )
        _finish(session, actor, outcome, action="ticket.force_complete", ticket=ticket, now=now, note=reason)
    return _answer(ticket_id, outcome, "工单已强制完成，已告知报告人。")


@router.post("/tickets/{ticket_id}/callback")
def callback_ticket(
    request: Request,
    ticket_id: int,
    session: SessionDep,
    actor: ConsoleDep,
    now: NowDep,
    answer: Choice = "",
    note: Text = "",
) -> Response:
    if answer not in ("fixed", "not_fixed"):
        action = f"{_path(ticket_id)}/callback"
        return back(_path(ticket_id), error="请选择居民的回答。", fields={"answer": "请选择"}, action=action)
    fixed = answer == "fixed"
    with session.begin():
        ticket = visible_ticket(session, ticket_id, actor)
        outcome = record_callback(
            session,
            ticket=ticket,
            fixed=fixed,
            note=note,
            actor_id=actor.person_id,
            actor_label=actor.label,
            rules=request.app.state.settings.tickets,
            now=now,
        )
        _finish(
            session, actor, outcome, action="ticket.callback", ticket=ticket, now=now, fixed=fixed, note=note
        )
    return _answer(ticket_id, outcome, "回访已记录。" if fixed else "回访已记录，工单已退回处理人重新处理。")


@router.post("/tickets/{ticket_id}/conclude")
def conclude_dispute(
    request: Request,
    ticket_id: int,
    session: SessionDep,
    actor: ConsoleDep,
    now: NowDep,
    outcome: Choice = "",
    note: Text = "",
    confirmed: Confirmed = "",
) -> Response:
    path = _path(ticket_id)
    if outcome not in ("resolved", "unresolved"):
        return back(path, error="请选择调解结果。", fields={"outcome": "请选择"}, action=f"{path}/conclude")
    with session.begin():
        ticket = visible_ticket(session, ticket_id, actor)
        if ticket.kind != TicketKind.dispute:
            return back(path, error="只有纠纷工单有调解结果。")
        others = len(other_party_people(session, ticket=ticket))
        question = Question(
            title="纠纷结案",
            question=f"{ticket.code} 结案为「{OUTCOMES[outcome]}」？",
            button="确认结案",
            expected=fingerprint("ticket.conclude", ticket_id, ticket.status, outcome, note, others),
            facts=[
                f"调解说明：{note or '（未填写）'}",
                f"会在微信里告诉报告人：{_reporter(session, ticket)}，并问 TA 是否化解。",
                f"对方住户 {others} 人会被问是否化解（不会告诉对方是谁反映的）。"
                if others
                else "对方没有登记住户，不会通知对方。",
            ],
        )
    if confirmed != question.expected:
        return ask(
            request,
            actor,
            session,
            question,
            action=f"{path}/conclude",
            back_to=path,
            fields={"outcome": outcome, "note": note},
        )
    with session.begin():
        ticket = visible_ticket(session, ticket_id, actor)
        person = session.get(Person, actor.person_id) if actor.person_id else None
        done = conclude(
            session,
            ticket=ticket,
            actor=person,
            outcome=outcome,
            rules=request.app.state.settings.tickets,
            now=now,
            note=note,
            actor_label=actor.label,
        )
        _finish(
            session, actor, done, action="ticket.conclude", ticket=ticket, now=now, outcome=outcome, note=note
        )
    return _answer(ticket_id, done, f"已结案：{OUTCOMES[outcome]}，已告知报告人。")
