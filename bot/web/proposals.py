"""小区议事 in the console: create a proposal, publish it (asked first), enter paper ballots, close, print.

Every step calls ``models.proposals`` (the same services as chat and the admin API); the tally and
its Art. 278 thresholds come from ``models.tally``. Publishing and closing reach people (owners,
building group chats), so both go through ``bot.web.confirm.ask`` first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, back, local, page, require_admin
from bot.web.confirm import Confirmed, Question, ask, fingerprint
from bot.web.fields import Line, Text
from bot.web.notice_form import when
from bot.web.proposal_view import PHASES, scope_label, summary, threshold, vote_record
from models.access import Actor, audit
from models.community import Building
from models.proposals import (
    CHOICE_NAMES,
    MATTERS,
    Proposal,
    VoteRefused,
    close_now,
    create_proposal,
    current_tally,
    enter_paper_ballot,
    publication_reach,
    publish_proposal,
)

router = APIRouter(prefix="/console", include_in_schema=False)
Ticks = Annotated[list[str], Form(max_length=1000)]
REFUSALS = {
    "room_not_in_scope": "这套房屋不在本议题的表决范围内，请核对楼栋、单元和房号",
    "owner_not_verified": "这套房屋还没有核实的业主，纸质票不能计入；请先核实业主身份",
    "bad_choice": "请选择同意、反对或弃权",
}


def _get(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个议题。")
    return proposal


@router.get("/proposals", response_class=HTMLResponse)
def proposals(request: Request, session: SessionDep, actor: OfficeDep, now: NowDep) -> HTMLResponse:
    return _list_page(request, session, actor, now)


def _list_page(
    request: Request,
    session: Session,
    actor: Actor,
    now: datetime,
    form: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    """The proposals, newest first, and the form for a new one (refilled, with reasons, after a refusal)."""
    items = [
        summary(session, p, now) for p in session.exec(select(Proposal).order_by(col(Proposal.id).desc()))
    ]
    buildings = [b.number for b in session.exec(select(Building).order_by(col(Building.id)))]
    matters = [(n, f"第{n}项 {name}（{threshold(n)}）") for n, name in MATTERS.items()]
    extra: dict[str, Any] = {}
    if problems:
        extra = {
            "error": f"没有创建：{'；'.join(problems.values())}。",
            "field_errors": problems,
            "field_action": "/console/proposals",
        }
    response = page(
        request,
        "proposals.html",
        actor,
        session,
        proposals=items,
        buildings=buildings,
        matters=matters,
        form=form or {"matter": 9, "scope": "all", "buildings": []},
        **extra,
    )
    if problems:
        response.status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    return response


def create_problems(title: str, opens: str, closes: str, now: datetime) -> tuple[dict[str, str], Any]:
    """Field → reason (Chinese) for a new proposal's form, and the parsed (open, close) times."""
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = "请填写议题标题"
    elif len(title.strip()) > 100:
        problems["title"] = "标题请控制在 100 字以内"
    try:
        start, end = when(opens) or now, when(closes)
    except ValueError:
        return {**problems, "votes_close_at": "时间格式不对，请重新选择"}, None
    if end is None:
        problems["votes_close_at"] = "请填写投票截止时间"
    elif end <= start:
        problems["votes_close_at"] = "截止时间要晚于开始时间"
    if start < now:
        problems["votes_open_at"] = "开始时间不能早于现在"
    return problems, (start, end)


@router.post("/proposals")
def create(
    request: Request,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    title: Line = "",
    body: Text = "",
    matter: Annotated[int, Form(ge=1, le=9)] = 9,
    scope: Line = "all",
    buildings: Ticks = [],  # noqa: B006
    votes_open_at: Line = "",
    votes_close_at: Line = "",
) -> Response:
    """A new proposal, waiting to be published (publishing is asked about separately)."""
    require_admin(actor)
    form = {
        "title": title,
        "body": body,
        "matter": matter,
        "scope": scope,
        "buildings": buildings,
        "votes_open_at": votes_open_at,
        "votes_close_at": votes_close_at,
    }
    problems, times = create_problems(title, votes_open_at, votes_close_at, now)
    if scope == "buildings" and not buildings:
        problems["scope"] = "选了「指定楼栋」，请勾选至少一栋"
    elif scope == "all" and buildings:
        problems["scope"] = "选了「全小区」却勾选了楼栋：请改选「指定楼栋」或取消勾选"
    if problems:
        return _list_page(request, session, actor, now, form, problems)
    start, end = times
    try:
        with session.begin():
            proposal = create_proposal(
                session,
                title=title,
                body=body,
                matter=matter,
                scope={"buildings": buildings} if scope == "buildings" else {},
                votes_open_at=start,
                votes_close_at=end,
                raised_by=actor.tag,
                now=now,
                publish=False,
            )
            audit(session, actor=actor, action="proposal.create", now=now, target=f"proposal:{proposal.id}")
    except ValueError:
        return _list_page(request, session, actor, now, form, {"scope": "表决范围内没有房屋，请核对楼栋"})
    return back(f"/console/proposals/{proposal.id}", ok=f"议题 {proposal.code} 已创建，还没有发布。")


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def detail(
    request: Request, proposal_id: int, session: SessionDep, actor: OfficeDep, now: NowDep
) -> HTMLResponse:
    proposal = _get(session, proposal_id)
    return page(
        request,
        "proposal.html",
        actor,
        session,
        p=summary(session, proposal, now),
        ballots=vote_record(session, proposal),
        active="/console/proposals",
    )


def publish_question(session: Session, proposal: Proposal) -> Question:
    buildings, owners = publication_reach(session, proposal)
    names = [o.name or "（未留姓名）" for o in owners]
    shown = "、".join(names[:10]) + (f" 等 {len(names)} 位" if len(names) > 10 else "")
    groups = "、".join(f"{b.number}栋群" for b in buildings) or "（没有楼栋）"
    return Question(
        title="发布议题",
        question=f"发布议题 {proposal.code}「{proposal.title}」到 {len(buildings)} 个楼栋群、{len(owners)} 位业主？",
        button=f"确认发布（{len(buildings)} 个楼栋群、{len(owners)} 位业主）",
        expected=fingerprint(
            "proposal.publish",
            proposal.id,
            proposal.status,
            [b.id for b in buildings],
            [o.id for o in owners],
        ),
        facts=[
            f"楼栋群：{groups}",
            f"业主（单独收到微信）：{shown or '无'}",
            f"表决范围：{scope_label(proposal.scope)}；投票 {local(proposal.votes_open_at)} 至 {local(proposal.votes_close_at)}",
            f"通过条件：{threshold(proposal.matter)}",
        ],
    )


@router.post("/proposals/{proposal_id}/publish")
def publish(
    request: Request,
    proposal_id: int,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    path = f"/console/proposals/{proposal_id}"
    with session.begin():
        question = publish_question(session, _get(session, proposal_id))
    if confirmed != question.expected:
        return ask(request, actor, session, question, action=f"{path}/publish", back_to=path)
    try:
        with session.begin():
            proposal = publish_proposal(session, proposal_id=proposal_id, now=now)
            audit(session, actor=actor, action="proposal.publish", now=now, target=f"proposal:{proposal_id}")
    except ValueError:
        return back(path, error="这个议题已经发布过了。")
    reach = question.question.rsplit("到 ", 1)[1].rstrip("？")  # "1 个楼栋群、3 位业主"
    return back(path, ok=f"议题 {proposal.code} 已发布，{reach}会收到通知。")


@router.post("/proposals/{proposal_id}/ballots")
def paper_ballot(
    proposal_id: int,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    building: Line = "",
    unit: Line = "",
    room: Line = "",
    choice: Line = "",
) -> Response:
    """唱票: a paper ballot for a verified owner's flat; it replaces that owner's earlier ballot."""
    require_admin(actor)
    path = f"/console/proposals/{proposal_id}"
    given = {"building": building, "room": room}
    missing = {k: f"请填写{'楼栋' if k == 'building' else '房号'}" for k, v in given.items() if not v.strip()}
    if missing:
        return back(path, error="没有录入：楼栋和房号都要填写。", fields=missing, action=f"{path}/ballots")
    try:
        with session.begin():
            proposal = _get(session, proposal_id)
            cast = enter_paper_ballot(
                session,
                proposal_id=proposal_id,
                building=building.strip(),
                unit=unit.strip(),
                room=room.strip(),
                choice=choice,  # type: ignore[arg-type]
                entered_by=actor.name,
                now=now,
                owners_only=True,
            )
            audit(
                session,
                actor=actor,
                action="proposal.paper_ballot",
                now=now,
                target=f"proposal:{proposal_id}",
                room=f"{building}-{unit}-{room}",
                choice=choice,
            )
    except VoteRefused as refused:
        return _ballot_refused(path, refused.reason)
    flat = f"{building}栋{unit + '单元' if unit else ''}{room}"
    replaced = f"（替换了之前的「{CHOICE_NAMES[cast.previous]}」）" if cast.previous else ""
    return back(
        path,
        ok=f"已录入 {flat} 的纸质票：{CHOICE_NAMES[cast.choice]}{replaced}。{proposal.code} 计票已更新。",
    )


def _ballot_refused(path: str, reason: str) -> Response:
    if reason.startswith("not_voting:"):
        phase = reason.split(":", 1)[1]
        message = f"现在不能录入：议题{PHASES.get(phase, phase)}，只有投票期间可以录入纸质票"
        field = "choice"
    else:
        message = REFUSALS.get(reason, "没有录入")
        field = "choice" if reason == "bad_choice" else "room"
    return back(path, error=f"没有录入：{message}。", fields={field: message}, action=f"{path}/ballots")


def close_question(session: Session, proposal: Proposal, now: datetime) -> Question:
    buildings, _ = publication_reach(session, proposal)
    tally = current_tally(session, proposal)
    return Question(
        title="结束投票",
        question=f"现在结束 {proposal.code}「{proposal.title}」的投票并公布结果？",
        button=f"确认结束并公布到 {len(buildings)} 个楼栋群",
        expected=fingerprint("proposal.close", proposal.id, proposal.status, tally.as_json()),
        facts=[
            f"结果：{'通过' if tally.passed else '未通过'}。{tally.reason}",
            f"结果会发到：{'、'.join(f'{b.number}栋群' for b in buildings)}（{len(buildings)} 个楼栋群）",
            f"原定截止 {local(proposal.votes_close_at)}；结束后不能再投票。",
        ],
        danger=True,
    )


@router.post("/proposals/{proposal_id}/close")
def close(
    request: Request,
    proposal_id: int,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    path = f"/console/proposals/{proposal_id}"
    with session.begin():
        proposal = _get(session, proposal_id)
        if proposal.phase(now) not in ("voting", "counting", "discussion"):
            return back(path, error="这个议题没有在进行中，不能结束。")
        question = close_question(session, proposal, now)
    if confirmed != question.expected:
        return ask(request, actor, session, question, action=f"{path}/close", back_to=path)
    try:
        with session.begin():
            closed = close_now(session, proposal_id=proposal_id, now=now)
            audit(session, actor=actor, action="proposal.close", now=now, target=f"proposal:{proposal_id}")
    except ValueError:
        return back(path, error="这个议题已经结束了。")
    verdict = "通过" if closed.result.get("passed") else "未通过"
    return back(path, ok=f"{closed.code} 投票已结束：{verdict}。结果已发到楼栋群。")


@router.get("/proposals/{proposal_id}/result", response_class=HTMLResponse)
def result(
    request: Request, proposal_id: int, session: SessionDep, actor: OfficeDep, now: NowDep
) -> HTMLResponse:
    """The printable result: tally, each Art. 278 bar and whether it was met, the vote record."""
    proposal = _get(session, proposal_id)
    return page(
        request,
        "proposal_result.html",
        actor,
        session,
        p=summary(session, proposal, now),
        ballots=vote_record(session, proposal),
        printed=local(now, "%Y-%m-%d %H:%M"),
        active="/console/proposals",
    )
