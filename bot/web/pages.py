"""The web console under ``/console``: residents and binding approvals.

Log in with an API token (``bot.web.auth``: a server-side session, not the token, is kept in the
browser; ``bot.web.sessions`` checks every form's CSRF token); pages call the same
``models/`` services as the chat and the admin API, changes are audited, and every form post
redirects back with a one-line message. Other areas live in their own modules of ``bot.web``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.api.paging import Page, fetch
from bot.chunked import INLINE_ROWS, import_roster_rows, start
from bot.web.charts import bar_chart
from bot.web.common import OfficeDep, back, local, page, require_admin
from bot.web.confirm import Confirmed, ask
from bot.web.decisions import binding_question, claim_question
from bot.web.errors import failure
from bot.web.fields import Text
from models.access import Actor, audit
from models.binding import decide_binding
from models.community import Building, Room, room_label
from models.csvfile import CsvEncodingError, decode
from models.people import BindingRequest, BindingStatus, Person, Role
from models.residency import Residency, ResidencyError, ResidencyStatus
from models.residency_decisions import decide as decide_claim
from models.residency_record import listing_row
from models.residents import COLUMNS, RosterError, check_roster, roster_query

router = APIRouter(prefix="/console", include_in_schema=False)

REGISTER_ROWS = 200  # the page lists the first ones; the API pages through the rest
REASONS = {"owner_exists": "该房屋已有业主", "no_such_room": "房屋信息中没有此房号"}


def residents_by_building(session: Session) -> object:
    rows = session.exec(
        select(Building.number, func.count())
        .select_from(Person)
        .join(Room, col(Person.room_id) == Room.id)
        .join(Building, col(Room.building_id) == Building.id)
        .where(Person.role == Role.resident)
        .group_by(Building.number)
        .order_by(Building.number)
    ).all()
    return bar_chart([(f"{number}栋", float(count)) for number, count in rows], unit="人")


@router.get("/bindings", response_class=HTMLResponse)
def bindings(request: Request, session: SessionDep, actor: OfficeDep) -> HTMLResponse:
    return _bindings_page(request, session, actor)


def _bindings_page(
    request: Request, session: Session, actor: Actor, problems: tuple[str, ...] = ()
) -> HTMLResponse:
    rows = session.exec(
        select(BindingRequest, Person)
        .join(Person, col(BindingRequest.person_id) == Person.id)
        .where(BindingRequest.status == BindingStatus.pending)
        .order_by(col(BindingRequest.id))
    ).all()
    requests = [
        {
            "id": r.id,
            "who": p.name or f"微信用户 {p.openid or ''}"[:24],
            "label": f"{r.building}栋{r.unit + '单元' if r.unit else ''}{r.room}",
            "reason": REASONS.get(r.reason, r.reason),
            "when": local(r.created_at),
        }
        for r, p in rows
    ]
    claims = []
    for residency in session.exec(
        select(Residency)
        .where(Residency.status == ResidencyStatus.claimed)
        .order_by(col(Residency.id))
        .limit(100)
    ):
        row = listing_row(session, residency)
        owner = row["verified_owner"]
        claims.append(
            {
                "id": row["id"],
                "code": row["code"],
                "name": row["name"] or "（未留姓名）",
                "phone": row["phone"] or "未留",
                "room": row["room"],
                "relationship": row["relationship_name"],
                "owner": (owner["name"] or "（未留姓名）") if owner else "无",
                "when": local(residency.claimed_at),
            }
        )
    rows, register_total = fetch(session, roster_query(), Page(limit=REGISTER_ROWS, offset=0))
    register = [
        {"room": room_label(b, r), "area": r.area, "name": h.name, "phone": h.phone} for b, r, h in rows
    ]
    return page(
        request,
        "bindings.html",
        actor,
        session,
        requests=requests,
        claims=claims,
        register=register,
        register_total=register_total,
        columns=",".join(COLUMNS),
        problems=problems,
        residents_chart=residents_by_building(session),
    )


@router.post("/bindings/{request_id}/{decision}")
def decide(
    request: Request,
    request_id: int,
    decision: str,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    note: Text = "",
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    if decision not in ("approve", "reject"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    with session.begin():
        question = binding_question(session, request_id=request_id, approve=decision == "approve", note=note)
    if confirmed != question.expected:
        action = f"/console/bindings/{request_id}/{decision}"
        return ask(
            request,
            actor,
            session,
            question,
            action=action,
            back_to="/console/bindings",
            fields={"note": note},
        )
    try:
        with session.begin():
            decide_binding(
                session,
                request_id=request_id,
                approve=decision == "approve",
                decided_by=actor.tag,
                now=now,
                note=note,
            )
            audit(
                session,
                actor=actor,
                action=f"binding.{decision}",
                now=now,
                target=f"binding_request:{request_id}",
                note=note,
            )
    except (LookupError, ValueError) as exc:
        return back("/console/bindings", error=f"操作失败：{failure(exc)}")
    done = "已通过" if decision == "approve" else "已驳回"
    return back("/console/bindings", ok=f"申请 #{request_id} {done}")


@router.post("/residencies/{residency_id}/{decision}")
def decide_residency(
    request: Request,
    residency_id: int,
    decision: str,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    note: Text = "",
    confirmed: Confirmed = "",
) -> Response:
    """Verify or refuse a resident's claim on a flat; the resident is told (after one question)."""
    require_admin(actor)
    if decision not in ("verify", "reject"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    with session.begin():
        question = claim_question(session, residency_id=residency_id, verify=decision == "verify", note=note)
    if confirmed != question.expected:
        action = f"/console/residencies/{residency_id}/{decision}"
        return ask(
            request,
            actor,
            session,
            question,
            action=action,
            back_to="/console/bindings",
            fields={"note": note},
        )
    try:
        with session.begin():
            decided = decide_claim(
                session,
                residency_id=residency_id,
                approve=decision == "verify",
                by=actor.name,
                actor=actor,
                now=now,
                note=note[:200],
            )
    except (LookupError, ResidencyError) as exc:
        return back("/console/bindings", error=f"操作失败：{failure(exc)}")
    done = "已核实" if decision == "verify" else "已记录不通过"
    return back("/console/bindings", ok=f"住户登记 {decided.code} {done}")


@router.post("/residents/import", response_class=HTMLResponse)
def import_residents(
    request: Request, session: SessionDep, actor: OfficeDep, now: NowDep, file: Annotated[UploadFile, File()]
) -> Response:
    """The room register CSV; on problems the page lists every bad line and nothing is imported."""
    require_admin(actor)
    try:
        text = decode(file.file.read())
        rows = check_roster(session, text=text)
    except (RosterError, CsvEncodingError) as exc:
        response = _bindings_page(request, session, actor, tuple(exc.problems))
        response.status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
        return response
    engine = request.app.state.engine
    operation_id = start(engine, kind="residents-import", total=len(rows), now=now, detail={"by": actor.tag})

    def work() -> dict[str, int]:
        return import_roster_rows(engine, rows, operation_id=operation_id, actor=actor, now=now)

    if len(rows) > INLINE_ROWS:
        request.app.state.operations.submit(work)
        return back(
            "/console/bindings",
            ok=f"文件共 {len(rows)} 行，正在后台分批导入（操作 #{operation_id}），稍后刷新本页查看。",
        )
    report = work()
    summary = (
        f"导入完成：{report['lines']} 行，新增房屋 {report['rooms_created']}，更新面积 {report['rooms_updated']}，"
        f"新增住户 {report['people_created']}，更新住户 {report['people_updated']}"
    )
    return back("/console/bindings", ok=summary)
