"""Tickets in the console: the list with filters, a ticket's detail and timeline, dispatch / transfer / close.

Admins, the secretary and property staff see every ticket; a grid worker only those of their
grid's buildings. Actions go through the same services as the API and are audited.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import ConsoleDep, back, local, page
from bot.web.confirm import Confirmed, Question, ask
from bot.web.fields import Positive, Text
from bot.web.ticket_facts import facts, handover_question
from bot.web.ticket_list import KINDS
from models.access import Actor, audit
from models.dispatch import Outcome, dispatch, transfer
from models.dispatch_choices import Choice, Choices, dispatch_choices
from models.people import Person, Role
from models.ticket_office import close_or_cancel
from models.ticket_queue import time_left
from models.ticket_story import steps
from models.tickets import STATUS_LABEL, Ticket, TicketKind, TicketStatus

router = APIRouter(prefix="/console", include_in_schema=False)

ROLES = {
    Role.building_head: "楼长",
    Role.grid_worker: "网格员",
    Role.staff: "物业",
    Role.secretary: "书记",
    Role.admin: "管理员",
}
CONCLUDABLE = (TicketStatus.dispatched, TicketStatus.accepted, TicketStatus.in_progress)
REASONS = {
    "wrong_status": "工单当前状态不能这样操作",
    "not_worker": "所选人员不能接工单",
    "taken": "工单已被他人接走",
    "not_yours": "不是您的工单",
    "cap": "对方未完成的工单已到上限，确要交给他请填写超量原因",
}


def visible_ticket(session: Session, ticket_id: int, actor: Actor) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not actor.sees_building(ticket.building_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这张工单，或它不在您的网格内。")
    return ticket


def _label(choice: Choice) -> str:
    """「王师傅 · 水电、管道下水 · 在办 2 件」, 「… · 已满 5 件」 at the cap."""
    what = choice.skills or ROLES.get(choice.person.role, "")
    load = f"已满 {choice.load} 件" if choice.full else f"在办 {choice.load} 件"
    return " · ".join(part for part in (choice.person.name, what, load) if part)


def _choices(request: Request, session: Session, ticket: Ticket) -> Choices:
    rules = request.app.state.settings.tickets
    return dispatch_choices(session, ticket=ticket, rules=rules, besides=ticket.assignee_id)


def _refusal(choices: Choices, person: Person, cap: int, over_cap_reason: str = "") -> str:
    """Why ``person`` cannot take the ticket, or "" when they can (past the cap only with a
    reason, which the service records: ``models.workload``)."""
    choice = choices.offers(person.id)  # type: ignore[arg-type]
    if choice is None:
        return f"操作未完成：{person.name}不在可派的人员里（没有这类工单的技能或职责）。"
    if choice.full and not over_cap_reason.strip():
        return (
            f"操作未完成：{person.name}手上已有 {choice.load} 张未完成工单，到上限了（{cap} 张）。"
            "请派给别人；确要交给他，请填写超量原因。"
        )
    return ""


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_detail(
    request: Request, ticket_id: int, session: SessionDep, actor: ConsoleDep, now: NowDep
) -> HTMLResponse:
    ticket = visible_ticket(session, ticket_id, actor)
    people = {p.id: p for p in session.exec(select(Person))}
    events = [
        {"at": local(s.at), "who": s.who, "what": s.what, "status": s.status, "note": s.note}
        for s in steps(session, ticket_id)
    ]
    assignee = people.get(ticket.assignee_id) if ticket.assignee_id else None
    choices = _choices(request, session, ticket)
    return page(
        request,
        "ticket.html",
        actor,
        session,
        t=ticket,
        kind=KINDS.get(ticket.kind, ticket.kind),
        status_label=STATUS_LABEL.get(ticket.status, ticket.status),
        f=facts(session, ticket),
        assignee=assignee.name if assignee else "未派单",
        created=local(ticket.created_at),
        due=local(ticket.due_at),
        left=time_left(ticket, now=now),
        events=events,
        choices=[(c.person.id, _label(c), c.full) for c in choices.people],
        choices_note=choices.note,
        can_dispatch=ticket.status in (TicketStatus.submitted, TicketStatus.reopened),
        can_transfer=ticket.is_open,
        can_close=ticket.is_open or ticket.status == TicketStatus.resolved,
        closing_resolved=ticket.status == TicketStatus.resolved,
        can_pause=ticket.is_open and ticket.paused_at is None,
        can_resume=ticket.is_open and ticket.paused_at is not None,
        can_callback=ticket.status in (TicketStatus.resolved, TicketStatus.closed),
        can_conclude=ticket.kind == TicketKind.dispute and ticket.status in CONCLUDABLE,
    )


def _done(ticket_id: int, outcome: Outcome, ok: str) -> Response:
    path = f"/console/tickets/{ticket_id}"
    if not outcome.ok:
        return back(path, error=f"操作未完成：{REASONS.get(outcome.reason, outcome.reason)}")
    return back(path, ok=ok)


def _cap(request: Request) -> int:
    return int(request.app.state.settings.tickets.max_open_per_worker)


def _worker(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个人员。")
    return person


def _ask(
    request: Request,
    actor: Actor,
    session: Session,
    question: Question,
    ticket_id: int,
    form: str,
    **fields: str,
) -> HTMLResponse:
    path = f"/console/tickets/{ticket_id}"
    return ask(request, actor, session, question, action=f"{path}/{form}", back_to=path, fields=fields)


@router.post("/tickets/{ticket_id}/dispatch")
def dispatch_ticket(
    request: Request,
    ticket_id: int,
    session: SessionDep,
    actor: ConsoleDep,
    now: NowDep,
    person_id: Positive,
    over_cap_reason: Text = "",
    confirmed: Confirmed = "",
) -> Response:
    with session.begin():
        ticket, person = visible_ticket(session, ticket_id, actor), _worker(session, person_id)
        refused = _refusal(_choices(request, session, ticket), person, _cap(request), over_cap_reason)
        if refused:
            return back(f"/console/tickets/{ticket_id}", error=refused)
        question = handover_question(session, ticket=ticket, person=person, verb="派单")
        if confirmed != question.expected:
            fields = {"person_id": str(person_id), "over_cap_reason": over_cap_reason}
            return _ask(request, actor, session, question, ticket_id, "dispatch", **fields)
        outcome = dispatch(
            session,
            ticket=ticket,
            person=person,
            actor_id=actor.person_id,
            actor_label=actor.label,
            now=now,
            rules=request.app.state.settings.tickets,
            override=over_cap_reason,
        )
        if outcome.ok:
            audit(
                session,
                actor=actor,
                action="ticket.dispatch",
                now=now,
                target=f"ticket:{ticket_id}",
                to=person_id,
            )
    return _done(ticket_id, outcome, f"已派给{person.name}，已通知对方和居民。")


@router.post("/tickets/{ticket_id}/transfer")
def transfer_ticket(
    request: Request,
    ticket_id: int,
    session: SessionDep,
    actor: ConsoleDep,
    now: NowDep,
    person_id: Positive,
    note: Text = "",
    over_cap_reason: Text = "",
    confirmed: Confirmed = "",
) -> Response:
    with session.begin():
        ticket, person = visible_ticket(session, ticket_id, actor), _worker(session, person_id)
        refused = _refusal(_choices(request, session, ticket), person, _cap(request), over_cap_reason)
        if refused:
            return back(f"/console/tickets/{ticket_id}", error=refused)
        question = handover_question(session, ticket=ticket, person=person, verb="转单", note=note)
        if confirmed != question.expected:
            fields = {"person_id": str(person_id), "note": note, "over_cap_reason": over_cap_reason}
            return _ask(request, actor, session, question, ticket_id, "transfer", **fields)
        outcome = transfer(
            session,
            ticket=ticket,
            actor=None,
            target=person,
            rules=request.app.state.settings.tickets,
            now=now,
            note=note,
            override=over_cap_reason,
            by_id=actor.person_id,
            by_label=actor.label,
        )
        if outcome.ok:
            audit(
                session,
                actor=actor,
                action="ticket.transfer",
                now=now,
                target=f"ticket:{ticket_id}",
                to=person_id,
                note=note,
            )
    return _done(ticket_id, outcome, f"已转给{person.name}。")


@router.post("/tickets/{ticket_id}/close")
def close_ticket(
    ticket_id: int, session: SessionDep, actor: ConsoleDep, now: NowDep, note: Text = ""
) -> Response:
    with session.begin():
        ticket = visible_ticket(session, ticket_id, actor)
        resolved = ticket.status == TicketStatus.resolved
        if not resolved and not note.strip():
            return back(f"/console/tickets/{ticket_id}", error="取消未完成的工单请写明原因。")
        outcome = close_or_cancel(
            session, ticket=ticket, actor_id=actor.person_id, actor_label=actor.label, now=now, note=note
        )
        if outcome.ok:
            audit(
                session, actor=actor, action="ticket.close", now=now, target=f"ticket:{ticket_id}", note=note
            )
    return _done(ticket_id, outcome, "工单已结单。" if resolved else "工单已取消，已告知相关人员。")
