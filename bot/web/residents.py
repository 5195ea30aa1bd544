"""Residents in the console: search by name, phone or address; one resident's file (homes,
binding history, tickets, points); unbinding a home, asked once before it reaches the resident.

Pending binding decisions stay on ``/console/bindings`` (``bot.web.pages``).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from bot.api.deps import NowDep, ReadSessionDep, SessionDep
from bot.api.paging import Page, fetch
from bot.web.common import OfficeDep, back, page, require_admin
from bot.web.confirm import Confirmed, Question, ask, fingerprint
from bot.web.errors import in_words
from bot.web.fields import Line
from models.community import room_label
from models.residency import Residency, ResidencyError, room_of
from models.resident_directory import STATUS_NAMES, resident, resident_file, search_query, unbind_home

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE_SIZE = 30
ROLE_WORDS = {"resident": "居民", "building_head": "楼栋长"}


@router.get("/residents", response_class=HTMLResponse)
def residents(
    request: Request,
    session: ReadSessionDep,
    actor: OfficeDep,
    q: Annotated[str, Query(max_length=40)] = "",
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    rows, total = fetch(session, search_query(q), Page(limit=PAGE_SIZE, offset=offset))
    people = [
        {
            "id": p.id,
            "name": p.name or "（未留姓名）",
            "phone": p.phone or "未留",
            "home": room_label(b, r) if b and r else "未绑定",
            "role": ROLE_WORDS.get(p.role.value, ""),
            "owner": "业主" if p.is_owner else "",
        }
        for p, b, r in rows
    ]

    def link(to: int) -> str:
        return "/console/residents?" + urlencode({**({"q": q} if q else {}), "offset": to})

    return page(
        request,
        "residents.html",
        actor,
        session,
        people=people,
        q=q,
        total=total,
        first=offset + 1 if people else 0,
        last=offset + len(people),
        newer=link(max(0, offset - PAGE_SIZE)) if offset > 0 else "",
        older=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < total else "",
    )


@router.get("/residents/{person_id}", response_class=HTMLResponse)
def resident_page(
    request: Request, person_id: int, session: ReadSessionDep, actor: OfficeDep
) -> HTMLResponse:
    person = resident(session, person_id)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这位居民，可能编号有误或信息已删除。")
    return page(
        request,
        "resident.html",
        actor,
        session,
        file=resident_file(session, person),
        active="/console/residents",
    )


def unbind_question(session: Session, *, person_id: int, residency_id: int, note: str) -> Question:
    residency = session.get(Residency, residency_id)
    person = resident(session, person_id)
    if residency is None or person is None or residency.person_id != person_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这条住户登记，可能已经处理过了。")
    _, _, label = room_of(session, residency.room_id)
    who = person.name or "这位居民"
    return Question(
        title="解除房屋绑定",
        question=f"解除{who}与 {label} 的绑定？",
        button="确认解除",
        expected=fingerprint("residency.unbind", residency_id, residency.status, note),
        facts=[
            f"登记：{residency.code}（{STATUS_NAMES[residency.status]}）",
            f"{who}会在微信里收到通知（1 人）。",
            "解除后 TA 不再收到这栋楼的公告，也不能为这套房投票。",
            f"原因：{note or '（未填写）'}",
        ],
        danger=True,
    )


@router.post("/residents/{person_id}/homes/{residency_id}/unbind")
def unbind(
    request: Request,
    person_id: int,
    residency_id: int,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    note: Line = "",
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    here = f"/console/residents/{person_id}"
    with session.begin():
        question = unbind_question(session, person_id=person_id, residency_id=residency_id, note=note)
    if confirmed != question.expected:
        action = f"{here}/homes/{residency_id}/unbind"
        return ask(request, actor, session, question, action=action, back_to=here, fields={"note": note})
    try:
        with session.begin():
            ended = unbind_home(session, residency_id=residency_id, actor=actor, now=now, note=note)
    except (LookupError, ResidencyError) as exc:
        return back(here, error=f"没有解除：{in_words(exc)}")
    return back(here, ok=f"已解除 {ended.code} 的绑定，已通知居民。")
