"""The knowledge-base editor: every entry, preview the bot's answer, edit an entry or add one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, back, page, require_admin
from handlers.consult import knowledge_for
from models.access import audit
from models.knowledge import EntryInput, KnowledgeEditError, save_entry

router = APIRouter(prefix="/console", include_in_schema=False)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge(
    request: Request, session: SessionDep, actor: OfficeDep, q: str = "", edit: str = "", new: str = ""
) -> HTMLResponse:
    path = request.app.state.settings.knowledge.path
    kb = knowledge_for(path)
    answer = kb.answer(q) if q.strip() else None
    return page(
        request,
        "knowledge.html",
        actor,
        session,
        question=q,
        answer=answer,
        entries=kb.entries,
        editing=kb.get(edit) if edit else None,
        adding=bool(new),
        editable=bool(path),
        kb_path=path or "nlp/data/knowledge（内置，只读）",
    )


@router.post("/knowledge")
def save(
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    request: Request,
    entry_id: Annotated[str, Form()],
    title: Annotated[str, Form()],
    answer: Annotated[str, Form()],
    source: Annotated[str, Form()],
    questions: Annotated[str, Form()] = "",
    keywords: Annotated[str, Form()] = "",
    create: Annotated[str, Form()] = "",
) -> Response:
    """Save an edited entry (or a new one with ``create``); the chat answers from it at once."""
    require_admin(actor)
    entry = EntryInput(
        id=entry_id.strip(),
        title=title,
        answer=answer,
        source=source,
        questions=_lines(questions),
        keywords=tuple(k.strip() for k in keywords.replace("，", ",").split(",") if k.strip()),
    )
    try:
        save_entry(request.app.state.settings.knowledge.path, entry=entry, create=bool(create))
    except (KnowledgeEditError, LookupError) as exc:
        return back("/console/knowledge", error=f"没有保存：{exc}")
    knowledge_for.cache_clear()
    with session.begin():
        action = "knowledge.add" if create else "knowledge.edit"
        audit(session, actor=actor, action=action, now=now, target=f"knowledge:{entry.id}")
    return back("/console/knowledge", ok=f"条目 {entry.id} 已保存，机器人立即按新内容回答。", q=entry.title)
