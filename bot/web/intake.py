"""电话报修 / 来访登记 in the console: a form for a report taken by phone or at the desk.

The ticket is filed by ``models.intake.log_report`` through the same service as chat tickets; the
timeline and the audit log name who logged it. A grid worker logs reports for their own grid.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import ConsoleDep, back, page
from bot.web.fields import Line, Text
from models.access import Actor, audit
from models.community import Building
from models.intake import CHANNELS, IntakeError, Report, log_report
from models.people import Person
from models.tickets import TicketKind
from nlp.slots.repair import CATEGORIES

router = APIRouter(prefix="/console", include_in_schema=False)
KINDS = {TicketKind.repair.value: "报修", TicketKind.complaint.value: "投诉（对物业）"}


def _form(
    request: Request, session: Session, actor: Actor, values: dict[str, Any], error: str = "", field: str = ""
) -> HTMLResponse:
    numbers = [
        b.number
        for b in session.exec(select(Building).order_by(col(Building.id)))
        if actor.sees_building(b.id)
    ]
    response = page(
        request,
        "ticket_new.html",
        actor,
        session,
        v=values,
        buildings=numbers,
        categories=CATEGORIES,
        channels=CHANNELS,
        kinds=KINDS,
        error=error,
        field=field,
    )
    if error:
        response.status_code = 422
    return response


@router.get("/tickets/new", response_class=HTMLResponse)
def new_ticket(request: Request, session: SessionDep, actor: ConsoleDep) -> HTMLResponse:
    return _form(request, session, actor, {"channel": "phone", "kind": "repair", "category": "其他"})


@router.post("/tickets/new", response_model=None)
def log_ticket(
    request: Request,
    session: SessionDep,
    actor: ConsoleDep,
    now: NowDep,
    name: Line,
    phone: Line,
    building: Line,
    description: Text,
    category: Annotated[str, Form(max_length=20)] = "其他",
    unit: Annotated[str, Form(max_length=10)] = "",
    room: Annotated[str, Form(max_length=10)] = "",
    spot: Annotated[str, Form(max_length=40)] = "",
    channel: Annotated[str, Form(max_length=10)] = "phone",
    kind: Annotated[str, Form(max_length=10)] = "repair",
) -> Response:
    values = dict(
        name=name, phone=phone, building=building, unit=unit, room=room, spot=spot,
        category=category, description=description, channel=channel, kind=kind,
    )  # fmt: skip
    visible = session.exec(select(Building).where(Building.number == building)).first()
    if visible is not None and not actor.sees_building(visible.id):
        return _form(request, session, actor, values, "这栋楼不在您的网格内。", "building")
    report = Report(
        name=name[:40],
        phone=phone,
        building=building,
        unit=unit,
        room=room,
        spot=spot,
        category=category if category in CATEGORIES else "其他",
        description=description,
        channel=channel,
        kind=TicketKind(kind) if kind in KINDS else TicketKind.repair,
    )
    try:
        with session.begin():
            ticket = log_report(
                session,
                report=report,
                rules=request.app.state.settings.tickets,
                now=now,
                by_id=actor.person_id,
                by_label=actor.label,
            )
            audit(session, actor=actor, action="ticket.intake", now=now, target=f"ticket:{ticket.id}")
            holder = session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
    except IntakeError as refused:
        return _form(request, session, actor, values, str(refused), refused.field)
    routed = f"已派给{holder.name}" if holder else "等待派单"
    return back(
        f"/console/tickets/{ticket.id}",
        ok=f"已登记 {ticket.code}（{CHANNELS.get(report.channel, '电话报修')}），{routed}。",
    )
