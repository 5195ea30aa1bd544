"""The knowledge-base editor: every entry, preview the bot's answer, edit an entry or add one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, back, page, require_admin
from bot.web.errors import in_words
from bot.web.fields import Line, Text
from handlers.consult import knowledge_for
from models.access import audit
from models.knowledge import EntryInput, KnowledgeEditError, find_entries, save_entry
from models.unanswered import QuestionStatus, UnansweredQuestion, close_question, open_questions

router = APIRouter(prefix="/console", include_in_schema=False)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge(
    request: Request,
    session: SessionDep,
    actor: OfficeDep,
    q: str = "",
    edit: str = "",
    new: str = "",
    ask: int | None = None,
    find: str = "",
) -> HTMLResponse:
    path = request.app.state.settings.knowledge.path
    kb = knowledge_for(path)
    answer = kb.answer(q) if q.strip() else None
    asked = session.get(UnansweredQuestion, ask) if ask is not None else None
    return page(
        request,
        "knowledge.html",
        actor,
        session,
        question=q,
        answer=answer,
        entries=find_entries(list(kb.entries), find[:100]),
        all_entries=len(kb.entries),
        find=find[:100],
        editing=kb.get(edit) if edit else None,
        adding=bool(new) or asked is not None,
        asked=asked,
        unanswered=open_questions(session, limit=50),
        editable=bool(path),
        kb_path=path or "nlp/data/knowledge（内置，只读）",
    )


@router.post("/knowledge")
def save(
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    request: Request,
    entry_id: Line,
    title: Line,
    answer: Text,
    source: Line,
    questions: Text = "",
    keywords: Text = "",
    create: Line = "",
    ask: Line = "",
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
        return back(
            "/console/knowledge", error=f"没有保存：{in_words(exc, '这条知识可能刚被删除，请刷新后再试。')}"
        )
    knowledge_for.cache_clear()
    with session.begin():
        action = "knowledge.add" if create else "knowledge.edit"
        audit(session, actor=actor, action=action, now=now, target=f"knowledge:{entry.id}")
        if ask.isdigit():
            close_question(session, question_id=int(ask), status=QuestionStatus.answered, entry_id=entry.id)
    return back("/console/knowledge", ok=f"条目 {entry.id} 已保存，机器人立即按新内容回答。", q=entry.title)


@router.post("/knowledge/questions/{question_id}/dismiss")
def dismiss_question(session: SessionDep, actor: OfficeDep, now: NowDep, question_id: int) -> Response:
    """Not for the knowledge base (it comes back if residents keep asking)."""
    require_admin(actor)
    with session.begin():
        found = close_question(session, question_id=question_id, status=QuestionStatus.dismissed)
        if found:
            audit(session, actor=actor, action="knowledge.dismiss", now=now, target=f"question:{question_id}")
    if not found:
        return back("/console/knowledge", error="没有找到这个问题，可能已经处理过了。")
    return back("/console/knowledge", ok="已忽略这个问题；居民再问时会重新列出。")
