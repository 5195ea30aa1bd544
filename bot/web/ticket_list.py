"""The console's ticket list: urgent first, searched and filtered, paged in the database with a total.

The filter comes from the query string (:func:`filter_from`), so every count on the home page is
a link to exactly the list it counts, and the .xlsx export (``bot.web.exports``) takes the same.
"""

from __future__ import annotations

from datetime import date, datetime
from math import ceil
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import ConsoleDep, local, page
from models.community import Building
from models.people import ERASED_LABEL, Person
from models.ticket_queue import PAGE_SIZE, TicketFilter, is_late, page_of, time_left
from models.tickets import STATUS_LABEL, Ticket, TicketKind
from models.workers import WORKER_ROLES

router = APIRouter(prefix="/console", include_in_schema=False)

KINDS = {
    TicketKind.repair: "报修",
    TicketKind.dispute: "纠纷调解",
    TicketKind.complaint: "投诉",
    TicketKind.emergency: "紧急",
}
STATES = {"open": "未完成", "waiting": "待派单（未派给任何人）", "all": "全部"}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def filter_from(request: Request) -> TicketFilter:
    """The list's filter from the query string; unknown or malformed values are left out."""
    params = request.query_params
    handler = params.get("handler", "")
    return TicketFilter(
        state=params.get("state", "open") or "open",
        kind=params.get("kind", ""),
        building=params.get("building", "")[:20],
        handler=int(handler) if handler.isdigit() and len(handler) < 10 else None,
        overdue=params.get("overdue") == "1",
        due_soon=params.get("due") == "soon",
        since=_day(params.get("since")),
        until=_day(params.get("until")),
        q=params.get("q", "")[:40],
    )


def query_string(f: TicketFilter, **extra: Any) -> str:
    """The query string that gives ``f`` back through :func:`filter_from`."""
    values = {
        "state": f.state if f.state != "open" else "",
        "kind": f.kind,
        "building": f.building,
        "handler": f.handler or "",
        "overdue": "1" if f.overdue else "",
        "due": "soon" if f.due_soon else "",
        "since": f.since.isoformat() if f.since else "",
        "until": f.until.isoformat() if f.until else "",
        "q": f.q,
        **extra,
    }
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def link(f: TicketFilter) -> str:
    query = query_string(f)
    return "/console/tickets" + (f"?{query}" if query else "")


def describe_row(
    ticket: Ticket,
    *,
    now: datetime,
    people: dict[int, Person],
    buildings: dict[int, Building],
) -> dict[str, Any]:
    """One ticket as the list and the export show it."""
    reporter = people.get(ticket.reporter_id)
    reporter_name = (ERASED_LABEL if reporter.erased_at else reporter.name) if reporter else ""
    holder = people.get(ticket.assignee_id) if ticket.assignee_id else None
    building = buildings.get(ticket.building_id) if ticket.building_id else None
    return {
        "id": ticket.id,
        "code": ticket.code,
        "kind": KINDS.get(ticket.kind, ticket.kind),
        "emergency": ticket.kind == TicketKind.emergency and ticket.is_open,
        "status": STATUS_LABEL.get(ticket.status, ticket.status),
        "place": ticket.place or (building.label if building else ""),
        "building": building.label if building else "",
        "category": ticket.category,
        "description": ticket.description,
        "reporter": reporter_name,
        "phone": reporter.phone if reporter and not reporter.erased_at else "",
        "assignee": holder.name if holder else "",
        "created": local(ticket.created_at),
        "due": local(ticket.due_at),
        "left": time_left(ticket, now=now),
        "overdue": is_late(ticket, now=now),
    }


def lookups(
    session: Session, tickets: list[Ticket] | None = None
) -> tuple[dict[int, Person], dict[int, Building]]:
    """The people the tickets name (reporters and handlers; everyone for a long export) and every building."""
    query = select(Person)
    ids = {i for t in tickets or [] for i in (t.reporter_id, t.assignee_id) if i is not None}
    if tickets is not None and len(ids) <= 500:
        query = query.where(col(Person.id).in_(sorted(ids)))
    people = {p.id: p for p in session.exec(query) if p.id is not None}
    buildings = {b.id: b for b in session.exec(select(Building).order_by(col(Building.id))) if b.id}
    return people, buildings


@router.get("/tickets", response_class=HTMLResponse)
def tickets(request: Request, session: SessionDep, actor: ConsoleDep, now: NowDep) -> HTMLResponse:
    f = filter_from(request)
    asked = request.query_params.get("page", "")
    number = max(1, int(asked)) if asked.isdigit() and len(asked) < 7 else 1
    found, total = page_of(session, f, now=now, building_ids=actor.building_ids, page=number)
    people, buildings = lookups(session, found)
    pages = max(1, ceil(total / PAGE_SIZE))
    staff = session.exec(select(Person).where(col(Person.role).in_(WORKER_ROLES)).order_by(col(Person.id)))
    workers = [(p.id, p.name) for p in staff if p.name and not p.erased_at]
    return page(
        request,
        "tickets.html",
        actor,
        session,
        rows=[describe_row(t, now=now, people=people, buildings=buildings) for t in found],
        f=f,
        total=total,
        number=number,
        pages=pages,
        first=(number - 1) * PAGE_SIZE + 1 if total else 0,
        last=min(number * PAGE_SIZE, total),
        previous=f"/console/tickets?{query_string(f, page=number - 1)}" if number > 1 else "",
        following=f"/console/tickets?{query_string(f, page=number + 1)}" if number < pages else "",
        export=f"/console/tickets/export.xlsx?{query_string(f)}",
        kinds=KINDS,
        states=STATES,
        statuses=STATUS_LABEL,
        buildings=[b.number for b in buildings.values() if actor.sees_building(b.id)],
        workers=workers,
    )
