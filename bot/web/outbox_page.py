"""消息发送: pushes that failed, wait to be retried or are held back by a rate limit, with the
reason in Chinese and the attempts made; sending one again, or every failed one, after one
question (a retry reaches people). Filters by kind and state; pages come from the database.
Office roles read it; only admins send again.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from bot.api.deps import NowDep, ReadSessionDep, SessionDep
from bot.api.paging import Page, fetch
from bot.web.common import OfficeDep, back, local, page, require_admin
from bot.web.confirm import Confirmed, Question, ask, fingerprint
from bot.web.errors import in_words
from models.access import audit
from models.outbox import OutboxMessage, OutboxStatus
from models.outbox_view import (
    VIEWS,
    NotRetryable,
    counts,
    dead_facts,
    kind_choices,
    kind_label,
    problems_query,
    reason,
    recipients,
    retry_failed,
    retry_one,
    state_label,
)

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE_SIZE = 30
HERE = "/console/outbox"
Kind = Annotated[str, Query(max_length=32)]


def _here(view: str, kind: str, offset: int = 0) -> str:
    query = {k: v for k, v in (("status", view), ("kind", kind)) if v}
    if offset:
        query["offset"] = str(offset)
    return HERE + ("?" + urlencode(query) if query else "")


@router.get("/outbox", response_class=HTMLResponse)
def outbox(
    request: Request,
    session: ReadSessionDep,
    actor: OfficeDep,
    now: NowDep,
    status_: Annotated[str, Query(alias="status", max_length=16)] = "",
    kind: Kind = "",
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    view = status_ if status_ in VIEWS else ""
    rows, total = fetch(session, problems_query(view=view, kind=kind, now=now), Page(PAGE_SIZE, offset))
    to = recipients(session, rows)
    items = [
        {
            "id": r.id,
            "state": state_label(r, now),
            "dead": r.status == OutboxStatus.dead,
            "retrying": r.status == OutboxStatus.pending and bool(r.last_error),
            "kind": kind_label(r.kind),
            "to": to[r.id],  # type: ignore[index]
            "text": r.text[:60] + ("…" if len(r.text) > 60 else ""),
            "reason": reason(r.last_error) or f"发送太密，{local(r.next_attempt_at)} 自动发送。",
            "raw": r.last_error,
            "attempts": r.attempts,
            "next": local(r.next_attempt_at) if r.status == OutboxStatus.pending else "",
            "created": local(r.created_at),
        }
        for r in rows
    ]
    return page(
        request,
        "outbox.html",
        actor,
        session,
        items=items,
        total=total,
        view=view,
        kind=kind,
        views=VIEWS,
        kinds=kind_choices(session, now=now),
        counts=counts(session, now=now),
        failed=dead_facts(session, kind=kind)[0],
        first=offset + 1 if items else 0,
        last=offset + len(items),
        newer=_here(view, kind, max(0, offset - PAGE_SIZE)) if offset > 0 else "",
        older=_here(view, kind, offset + PAGE_SIZE) if offset + PAGE_SIZE < total else "",
    )


def _one_question(session: Session, message_id: int) -> Question:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这条消息。")
    who = recipients(session, [message])[message_id]
    return Question(
        title="重发消息",
        question=f"把第 {message_id} 条消息重发给{who}？",
        button="确认重发",
        expected=fingerprint("outbox.retry", message_id, message.status, message.attempts),
        facts=[
            f"收件人：{who}（1 {'个群' if message.building_id and not message.person_id else '人'}）",
            f"内容：{message.text[:80]}{'…' if len(message.text) > 80 else ''}",
            f"上次失败：{reason(message.last_error) or '无'}",
        ],
    )


@router.post("/outbox/{message_id}/retry")
def retry(
    request: Request,
    message_id: int,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    back_to: Annotated[str, Form(max_length=200)] = HERE,
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    back_to = back_to if back_to.startswith(HERE) else HERE
    with session.begin():
        question = _one_question(session, message_id)
    if confirmed != question.expected:
        action = f"{HERE}/{message_id}/retry"
        return ask(
            request, actor, session, question, action=action, back_to=back_to, fields={"back_to": back_to}
        )
    try:
        with session.begin():
            retry_one(session, message_id=message_id, now=now)
            audit(session, actor=actor, action="outbox.retry", now=now, target=f"outbox_message:{message_id}")
    except (LookupError, NotRetryable) as exc:
        return back(back_to, error=f"没有重发：{in_words(exc)}")
    return back(back_to, ok=f"第 {message_id} 条消息已重新排队，马上发送。")


def _all_question(session: Session, kind: str) -> Question:
    rows, people, groups = dead_facts(session, kind=kind)
    if rows == 0:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="没有发送失败的消息，不用重发。")
    what = f"「{kind_label(kind)}」类" if kind else ""
    return Question(
        title="重发全部失败消息",
        question=f"重发全部 {rows} 条{what}发送失败的消息？",
        button=f"确认重发 {rows} 条",
        expected=fingerprint("outbox.retry_all", kind, rows, people, groups),
        facts=[
            f"会发给 {people} 位居民或工作人员、{groups} 个楼栋群。",
            "原因没有消除的（如对方已取消关注），还会再次失败。",
        ],
    )


@router.post("/outbox/retry-failed")
def retry_all(
    request: Request,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    kind: Annotated[str, Form(max_length=32)] = "",
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    here = _here("dead", kind)
    with session.begin():
        question = _all_question(session, kind)
    if confirmed != question.expected:
        action = f"{HERE}/retry-failed"
        return ask(request, actor, session, question, action=action, back_to=here, fields={"kind": kind})
    with session.begin():
        done = retry_failed(session, now=now, kind=kind)
        audit(
            session,
            actor=actor,
            action="outbox.retry_all",
            now=now,
            target="outbox_message",
            kind=kind,
            rows=done,
        )
    return back(here, ok=f"已把 {done} 条失败的消息重新排队，马上发送。")
