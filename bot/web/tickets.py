"""Tickets in the console: the list with filters, a ticket's detail and timeline, dispatch / transfer / close.

Admins, the secretary and property staff see every ticket; a grid worker only those of their
grid's buildings. Actions go through the same services as the API and are audited.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import ConsoleDep, back, local, page
from bot.web.fields import Positive, Text
from models.access import Actor, audit
from models.community import Building
from models.dispatch import Outcome, dispatch, transfer
from models.people import ERASED_LABEL, Person, Role
from models.ticket_office import close_or_cancel
from models.ticket_story import steps
from models.tickets import OPEN, STATUS_LABEL, Ticket, TicketKind, TicketStatus
from models.workers import WORKER_ROLES

router = APIRouter(prefix="/console", include_in_schema=False)

KINDS = {
    TicketKind.repair: "报修",
    TicketKind.dispute: "纠纷调解",
    TicketKind.complaint: "投诉",
    TicketKind.emergency: "紧急",
}
ROLES = {
    Role.building_head: "楼长",
    Role.grid_worker: "网格员",
    Role.staff: "物业",
    Role.secretary: "书记",
    Role.admin: "管理员",
}
REASONS = {
    "wrong_status": "工单当前状态不能这样操作",
    "not_worker": "所选人员不能接工单",
    "taken": "工单已被他人接走",
    "not_yours": "不是您的工单",
    "cap": "对方未完成的工单已到上限，确要交给他请填写超量原因",
}


def _ticket(session: Session, ticket_id: int, actor: Actor) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not actor.sees_building(ticket.building_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这张工单，或它不在您的网格内。")
    return ticket


def _workers(session: Session) -> list[Person]:
    return list(
        session.exec(select(Person).where(col(Person.role).in_(WORKER_ROLES)).order_by(col(Person.id)))
    )


@router.get("/tickets", response_class=HTMLResponse)
def tickets(
    request: Request,
    session: SessionDep,
    actor: ConsoleDep,
    state: str = "open",
    kind: str = "",
    building: str = "",
) -> HTMLResponse:
    query = select(Ticket).order_by(col(Ticket.id).desc())
    if state == "open":
        query = query.where(col(Ticket.status).in_(OPEN))
    elif state in TicketStatus.__members__:
        query = query.where(Ticket.status == TicketStatus(state))
    if kind in TicketKind.__members__:
        query = query.where(Ticket.kind == TicketKind(kind))
    buildings = {b.id: b for b in session.exec(select(Building).order_by(col(Building.id)))}
    visible = [b for b in buildings.values() if actor.sees_building(b.id)]
    if building:
        query = query.where(col(Ticket.building_id).in_([b.id for b in visible if b.number == building]))
    if actor.building_ids is not None:
        query = query.where(col(Ticket.building_id).in_(actor.building_ids))
    people = {p.id: p.name for p in session.exec(select(Person))}
    rows = [
        {
            "id": t.id,
            "code": t.code,
            "kind": KINDS.get(t.kind, t.kind),
            "status": STATUS_LABEL.get(t.status, t.status),
            "place": t.place or (buildings[t.building_id].label if t.building_id in buildings else ""),
            "category": t.category,
            "description": t.description[:40],
            "assignee": people.get(t.assignee_id, "") if t.assignee_id else "",
            "created": local(t.created_at),
            "due": local(t.due_at),
            "overdue": t.is_open and t.due_at < request.app.state.clock.now(),
        }
        for t in session.exec(query.limit(300))
    ]
    return page(
        request,
        "tickets.html",
        actor,
        session,
        rows=rows,
        state=state,
        kind=kind,
        building=building,
        kinds=KINDS,
        statuses=STATUS_LABEL,
        buildings=[b.number for b in visible],
    )


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_detail(request: Request, ticket_id: int, session: SessionDep, actor: ConsoleDep) -> HTMLResponse:
    ticket = _ticket(session, ticket_id, actor)
    people = {p.id: p for p in session.exec(select(Person))}
    reporter = people.get(ticket.reporter_id)
    events = [
        {"at": local(s.at), "who": s.who, "what": s.what, "status": s.status, "note": s.note}
        for s in steps(session, ticket_id)
    ]
    assignee = people.get(ticket.assignee_id) if ticket.assignee_id else None
    return page(
        request,
        "ticket.html",
        actor,
        session,
        t=ticket,
        kind=KINDS.get(ticket.kind, ticket.kind),
        status_label=STATUS_LABEL.get(ticket.status, ticket.status),
        reporter=(ERASED_LABEL if reporter.erased_at else reporter.name or "居民") if reporter else "",
        phone=reporter.phone if reporter else "",
        assignee=assignee.name if assignee else "未派单",
        created=local(ticket.created_at),
        due=local(ticket.due_at),
        events=events,
        workers=[
            (p.id, f"{p.name}（{'、'.join(p.skills) or ROLES.get(p.role, p.role)}）")
            for p in _workers(session)
        ],
        can_dispatch=ticket.status in (TicketStatus.submitted, TicketStatus.reopened),
        can_transfer=ticket.is_open,
        can_close=ticket.is_open or ticket.status == TicketStatus.resolved,
        closing_resolved=ticket.status == TicketStatus.resolved,
    )


def _done(ticket_id: int, outcome: Outcome, ok: str) -> Response:
    path = f"/console/tickets/{ticket_id}"
    if not outcome.ok:
        return back(path, error=f"操作未完成：{REASONS.get(outcome.reason, outcome.reason)}")
    return back(path, ok=ok)


def _worker(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个人员。")
    return person


@router.post("/tickets/{ticket_id}/dispatch")
def dispatch_ticket(
    request: Request,
    ticket_id: int,
    session: SessionDep,
    actor: ConsoleDep,
    now: NowDep,
    person_id: Positive,
    over_cap_reason: Text = "",
) -> Response:
    with session.begin():
        ticket, person = _ticket(session, ticket_id, actor), _worker(session, person_id)
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
) -> Response:
    with session.begin():
        ticket, person = _ticket(session, ticket_id, actor), _worker(session, person_id)
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
        ticket = _ticket(session, ticket_id, actor)
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
