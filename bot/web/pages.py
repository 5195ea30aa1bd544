"""The web console under ``/console``: server-rendered Chinese pages for the community office.

Log in with an API token (kept in an HttpOnly, SameSite=Strict cookie); pages call the same
``models/`` services as the chat and the admin API, and changes are audited.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep, token_actor
from bot.web.charts import bar_chart
from handlers.consult import knowledge_for
from models.access import Actor, ApiRole, audit
from models.base import LOCAL_TZ
from models.community import Building, Room, default_community
from models.people import BindingRequest, BindingStatus, Person, Role, decide_binding
from models.proposals import MATTERS, Proposal, current_tally

COOKIE = "hgj_console"
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
router = APIRouter(prefix="/console", include_in_schema=False)

NAV = [
    ("/console/", "概览"),
    ("/console/bindings", "居民与绑定"),
    ("/console/proposals", "小区议事"),
    ("/console/knowledge", "知识库"),
]
ROLE_NAMES = {
    ApiRole.admin: "管理员",
    ApiRole.secretary: "书记",
    ApiRole.staff: "物业",
    ApiRole.grid_worker: "网格员",
}
REASONS = {"owner_exists": "该房屋已有业主", "no_such_room": "房屋信息中没有此房号"}
PHASES = {
    "discussion": "讨论中",
    "voting": "投票中",
    "counting": "计票中",
    "closed": "已结束",
    "cancelled": "已取消",
    "pending_review": "待审核",
}


def console_actor(request: Request) -> Actor:
    actor = token_actor(request, request.cookies.get(COOKIE, ""))
    if actor is None:
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": "/console/login"})
    return actor


def office_actor(actor: Annotated[Actor, Depends(console_actor)]) -> Actor:
    """Admins and the secretary see the whole console."""
    if actor.role not in (ApiRole.admin, ApiRole.secretary):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="这个页面只对社区管理员和书记开放。")
    return actor


OfficeDep = Annotated[Actor, Depends(office_actor)]


def _page(request: Request, template: str, actor: Actor, session: Session, **context: Any) -> HTMLResponse:
    community = default_community(session)
    return templates.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "role_name": ROLE_NAMES[actor.role],
            "community": community.name if community else "红管家",
            "nav": NAV,
            "active": request.url.path,
            "flash": request.query_params.get("ok", ""),
            "error": request.query_params.get("error", ""),
            **context,
        },
    )


def _require_admin(actor: Actor) -> None:
    if actor.role != ApiRole.admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="只有管理员可以执行此操作。")


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"error": ""})


@router.post("/login")
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    if token_actor(request, token.strip()) is None:
        return templates.TemplateResponse(
            request, "login.html", {"error": "令牌不正确或已失效。"}, status_code=status.HTTP_401_UNAUTHORIZED
        )
    response = RedirectResponse("/console/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE, token.strip(), httponly=True, samesite="strict", path="/console", max_age=12 * 3600
    )
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/console/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, actor: OfficeDep, now: NowDep) -> HTMLResponse:
    residents = session.exec(
        select(func.count()).select_from(Person).where(Person.role == Role.resident)
    ).one()
    bound = session.exec(
        select(func.count())
        .select_from(Person)
        .where(Person.role == Role.resident, col(Person.room_id).is_not(None))
    ).one()
    pending = session.exec(
        select(func.count()).select_from(BindingRequest).where(BindingRequest.status == BindingStatus.pending)
    ).one()
    voting = [p for p in session.exec(select(Proposal)) if p.phase(now) in ("discussion", "voting")]
    cards = [("居民", residents), ("已绑定房屋", bound), ("待审核绑定", pending), ("进行中议题", len(voting))]
    charts = [("各楼栋已绑定居民", _residents_by_building(session))]
    return _page(request, "dashboard.html", actor, session, cards=cards, charts=charts)


def _residents_by_building(session: Session) -> Any:
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
            "when": _local(r.created_at),
        }
        for r, p in rows
    ]
    return _page(
        request,
        "bindings.html",
        actor,
        session,
        requests=requests,
        residents_chart=_residents_by_building(session),
    )


@router.post("/bindings/{request_id}/{decision}")
def decide(
    request_id: int,
    decision: str,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    _require_admin(actor)
    if decision not in ("approve", "reject"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
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
            )
    except (LookupError, ValueError) as exc:
        return _back("/console/bindings", error=f"操作失败：{exc}")
    done = "已通过" if decision == "approve" else "已驳回"
    return _back("/console/bindings", ok=f"申请 #{request_id} {done}")


def _back(path: str, **message: str) -> Response:
    """Redirect after a form post, carrying a one-line message."""
    return RedirectResponse(f"{path}?{urlencode(message)}", status_code=status.HTTP_303_SEE_OTHER)


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


@router.get("/proposals", response_class=HTMLResponse)
def proposals(request: Request, session: SessionDep, actor: OfficeDep, now: NowDep) -> HTMLResponse:
    items = []
    for proposal in session.exec(select(Proposal).order_by(col(Proposal.id).desc())):
        result = proposal.result or current_tally(session, proposal).as_json()
        closed = proposal.phase(now) == "closed"
        items.append(
            {
                "code": proposal.code,
                "title": proposal.title,
                "matter": f"第{proposal.matter}项 {MATTERS[proposal.matter]}",
                "phase": PHASES.get(proposal.phase(now), proposal.phase(now)),
                "close": _local(proposal.votes_close_at),
                **{
                    k: _percent(float(result[k]))
                    for k in ("area_participation", "head_participation", "area_approval", "head_approval")
                },  # type: ignore[arg-type]
                "verdict": ("通过" if result["passed"] else "未通过") if closed else "—",
            }
        )
    return _page(request, "proposals.html", actor, session, proposals=items)


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge(request: Request, session: SessionDep, actor: OfficeDep, q: str = "") -> HTMLResponse:
    path = request.app.state.settings.knowledge.path
    kb = knowledge_for(path)
    answer = kb.answer(q) if q.strip() else None
    return _page(
        request,
        "knowledge.html",
        actor,
        session,
        question=q,
        answer=answer,
        entries=kb.entries,
        kb_path=path or "nlp/data/knowledge（内置）",
    )
