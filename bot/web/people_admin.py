"""人员与令牌 (admins only): the office's people with role, skills, grid and open work; adding
and stopping a person; console/API tokens listed without their secret, shown once when created,
revoked after one question. The rules live in ``models.staff_roster``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, ReadSessionDep, SessionDep
from bot.api.paging import Page, fetch
from bot.web.common import A, back, page, roles
from bot.web.confirm import Confirmed, Question, ask, fingerprint
from bot.web.errors import in_words
from bot.web.fields import Line
from models.access import Actor, ApiToken
from models.community import Building, Grid
from models.people import Person
from models.staff_roster import (
    ROLE_CHOICES,
    STAFF_ROLES,
    TOKEN_ROLES,
    VOLUNTEERS,
    NewPerson,
    StaffError,
    add_person,
    create_token,
    deactivate,
    describe_people,
    revoke,
    roster_query,
    stop_facts,
    token_rows,
)
from models.workers import ROLE_LABEL

router = APIRouter(prefix="/console", include_in_schema=False)
AdminOnly = Annotated[Actor, Depends(roles(A, what="管理员"))]
PAGE_SIZE = 50
HERE = "/console/people"
Choice = Annotated[str, Form(max_length=20)]


def _number(text: str) -> int | None:
    return int(text) if text.strip().isdigit() and len(text.strip()) < 10 else None


@router.get("/people", response_class=HTMLResponse)
def people(
    request: Request,
    session: ReadSessionDep,
    actor: AdminOnly,
    role: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    role = role if role in ROLE_CHOICES or role == VOLUNTEERS else ""
    found, total = fetch(session, roster_query(role), Page(limit=PAGE_SIZE, offset=offset))

    def link(to: int) -> str:
        return f"{HERE}?" + urlencode({**({"role": role} if role else {}), "offset": to})

    workers = session.exec(
        select(Person).where(col(Person.role).in_(STAFF_ROLES), col(Person.erased_at).is_(None))
    ).all()
    return page(
        request,
        "people.html",
        actor,
        session,
        people=describe_people(session, list(found)),
        role=role,
        roles=ROLE_CHOICES,
        total=total,
        newer=link(max(0, offset - PAGE_SIZE)) if offset > 0 else "",
        older=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < total else "",
        grids=list(session.exec(select(Grid).order_by(col(Grid.id)))),
        buildings=list(session.exec(select(Building).order_by(col(Building.id)))),
        tokens=token_rows(session),
        token_roles=TOKEN_ROLES,
        workers=[(p.id, f"{p.name or '#' + str(p.id)}（{ROLE_LABEL[p.role]}）") for p in workers],
    )


@router.post("/people")
def add(
    session: SessionDep,
    actor: AdminOnly,
    now: NowDep,
    name: Line = "",
    role: Choice = "",
    phone: Annotated[str, Form(max_length=20)] = "",
    openid: Annotated[str, Form(max_length=64)] = "",
    wecom_userid: Annotated[str, Form(max_length=64)] = "",
    skills: Line = "",
    grid_id: Choice = "",
    building_id: Choice = "",
) -> Response:
    new = NewPerson(
        name=name,
        role=role,
        phone=phone,
        openid=openid,
        wecom_userid=wecom_userid,
        skills=[s for s in skills.replace("，", ",").replace("、", ",").split(",")],
        grid_id=_number(grid_id),
        building_id=_number(building_id),
    )
    try:
        with session.begin():
            person = add_person(session, new=new, actor=actor, now=now)
    except StaffError as exc:
        fields = {exc.field: str(exc)} if exc.field else {}
        return back(HERE, error=f"没有添加：{in_words(exc)}", fields=fields, action=HERE)
    return back(HERE, ok=f"已添加{ROLE_CHOICES[role]}{person.name}。")


def _stop_question(session: Session, person_id: int) -> Question:
    person = session.get(Person, person_id)
    if person is None or person.role not in STAFF_ROLES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这位工作人员，可能已经停用了。")
    tokens, open_tickets = stop_facts(session, person)
    who = f"{ROLE_LABEL[person.role]}{person.name}"
    facts = [
        f"TA 的令牌 {tokens} 个会被吊销，已登录的控制台会退出。",
        "TA 不再收到派单、督办和工作提醒，仍可作为居民使用公众号。",
    ]
    if open_tickets:
        facts.append(f"TA 手上还有 {open_tickets} 张未完成的工单，停用后请改派。")
    return Question(
        title="停用人员",
        question=f"停用{who}？",
        button="确认停用",
        expected=fingerprint("person.deactivate", person_id, person.role, tokens, open_tickets),
        facts=facts,
        danger=True,
    )


@router.post("/people/{person_id}/deactivate")
def stop(
    request: Request,
    person_id: int,
    session: SessionDep,
    actor: AdminOnly,
    now: NowDep,
    confirmed: Confirmed = "",
) -> Response:
    with session.begin():
        question = _stop_question(session, person_id)
    if confirmed != question.expected:
        action = f"{HERE}/{person_id}/deactivate"
        return ask(request, actor, session, question, action=action, back_to=HERE)
    try:
        with session.begin():
            stopped = deactivate(session, person_id=person_id, actor=actor, now=now)
    except StaffError as exc:
        return back(HERE, error=f"没有停用：{in_words(exc)}")
    more = f"，还有 {stopped.open_tickets} 张工单请改派" if stopped.open_tickets else ""
    return back(HERE, ok=f"已停用{stopped.role}{stopped.person.name}，吊销令牌 {stopped.tokens} 个{more}。")


@router.post("/tokens", response_class=HTMLResponse)
def new_token(
    request: Request,
    session: SessionDep,
    actor: AdminOnly,
    now: NowDep,
    name: Line = "",
    role: Choice = "",
    person_id: Choice = "",
) -> Response:
    try:
        with session.begin():
            token_id, secret = create_token(
                session, name=name, role=role, person_id=_number(person_id), actor=actor, now=now
            )
    except StaffError as exc:
        fields = {exc.field: str(exc)} if exc.field else {}
        return back(HERE, error=f"没有发放：{in_words(exc)}", fields=fields, action="/console/tokens")
    response = page(
        request,
        "token_created.html",
        actor,
        session,
        name=name.strip(),
        role=TOKEN_ROLES[role],
        token_id=token_id,
        secret=secret,
        active=HERE,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _revoke_question(session: Session, token_id: int) -> Question:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个令牌。")
    return Question(
        title="吊销令牌",
        question=f"吊销 {token.name} 的令牌（{TOKEN_ROLES[token.role]}）？",
        button="确认吊销",
        expected=fingerprint("token.revoke", token_id, token.revoked_at),
        facts=[
            "吊销后这个令牌不能再登录控制台或调用接口，用它登录的控制台会立即退出。",
            "吊销不能撤回，需要时请重新发放。",
        ],
        danger=True,
    )


@router.post("/tokens/{token_id}/revoke")
def revoke_one(
    request: Request,
    token_id: int,
    session: SessionDep,
    actor: AdminOnly,
    now: NowDep,
    confirmed: Confirmed = "",
) -> Response:
    with session.begin():
        question = _revoke_question(session, token_id)
    if confirmed != question.expected:
        return ask(
            request, actor, session, question, action=f"/console/tokens/{token_id}/revoke", back_to=HERE
        )
    try:
        with session.begin():
            token = revoke(session, token_id=token_id, actor=actor, now=now)
    except StaffError as exc:
        return back(HERE, error=f"没有吊销：{in_words(exc)}")
    return back(HERE, ok=f"已吊销 {token.name} 的令牌。")
