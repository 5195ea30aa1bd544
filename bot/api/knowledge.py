"""The knowledge base: list and read entries, preview the bot's answer, edit, add, upload a file.

Edits need ``[knowledge] path`` to be a writable directory (409 otherwise); a change that would
leave the knowledge base unloadable is refused (422) and nothing is written.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from pydantic import Field

from bot.api.deps import AdminActor, DeskActor, Everyone, NowDep, ReadSessionDep, SessionDep
from bot.api.limits import Input, Key, RowId
from bot.api.paging import PageDep, fetch, listing, window
from handlers.consult import knowledge_for
from models.access import Actor, audit
from models.knowledge import EntryInput, KnowledgeEditError, save_entry, upload_file
from models.unanswered import QuestionStatus, UnansweredQuestion, close_question, open_questions_query

router = APIRouter(tags=["knowledge"])
FileName = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,60}\.toml$")]


class EntryBody(Input):
    title: str = Field(min_length=1, max_length=100)
    questions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=1, max_length=2000)
    source: str = Field(min_length=1, max_length=200)


class NewEntry(EntryBody):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,60}$")


class Question(Input):
    question: str = Field(min_length=1, max_length=500)


def _path(request: Request) -> str:
    return request.app.state.settings.knowledge.path


def preview_answer(path: str, question: str) -> dict[str, Any]:
    """What the bot would answer, and the runners-up."""
    kb = knowledge_for(path)
    best = kb.answer(question)
    return {
        "confident": best.confident,
        "answer": best.text,
        "source": best.source,
        "entry_id": best.entry_id,
        "candidates": [
            {"entry_id": a.entry_id, "title": a.title, "score": a.score} for a in kb.search(question)
        ],
    }


def _saved(session: SessionDep, actor: Actor, now: NowDep, action: str, target: str) -> None:
    knowledge_for.cache_clear()  # the chat answers from the edited base from now on
    with session.begin():
        audit(session, actor=actor, action=action, now=now, target=target)


@router.get("/knowledge")
def list_entries(request: Request, response: Response, _actor: Everyone, page: PageDep) -> dict[str, Any]:
    entries, total = window(knowledge_for(_path(request)).entries, page)
    items = [asdict(e) for e in entries]
    return listing(request, response, page, items, total, editable=bool(_path(request)))


@router.get("/knowledge/{entry_id}")
def get_entry(entry_id: Key, request: Request, _actor: Everyone) -> dict[str, Any]:
    entry = knowledge_for(_path(request)).get(entry_id)
    if entry is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"knowledge entry {entry_id} not found")
    return asdict(entry)


@router.post("/knowledge/preview")
def preview(body: Question, request: Request, _actor: Everyone) -> dict[str, Any]:
    return preview_answer(_path(request), body.question)


def _save(request: Request, entry: EntryInput, *, create: bool) -> dict[str, Any]:
    try:
        return asdict(save_entry(_path(request), entry=entry, create=create))
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except KnowledgeEditError as exc:
        code = status.HTTP_409_CONFLICT if not _path(request) else status.HTTP_422_UNPROCESSABLE_CONTENT
        raise HTTPException(code, detail=str(exc)) from exc


def _input(entry_id: str, body: EntryBody) -> EntryInput:
    return EntryInput(
        id=entry_id,
        title=body.title,
        answer=body.answer,
        source=body.source,
        questions=tuple(body.questions),
        keywords=tuple(body.keywords),
    )


@router.post("/knowledge", status_code=status.HTTP_201_CREATED)
def add_entry(
    body: NewEntry, request: Request, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    saved = _save(request, _input(body.id, body), create=True)
    _saved(session, admin, now, "knowledge.add", f"knowledge:{body.id}")
    return saved


@router.put("/knowledge/{entry_id}")
def edit_entry(
    entry_id: Key, body: EntryBody, request: Request, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    saved = _save(request, _input(entry_id, body), create=False)
    _saved(session, admin, now, "knowledge.edit", f"knowledge:{entry_id}")
    return saved


@router.put(
    "/knowledge-files/{name}",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/toml": {"schema": {"type": "string"}}}}
    },
)
async def put_file(
    name: FileName, request: Request, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    """Body: a whole TOML file of ``[[entry]]`` tables (UTF-8); it replaces the file of that name."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="the file must be UTF-8") from None
    try:
        total = upload_file(_path(request), name=name, text=text)
    except KnowledgeEditError as exc:
        code = status.HTTP_409_CONFLICT if not _path(request) else status.HTTP_422_UNPROCESSABLE_CONTENT
        raise HTTPException(code, detail=str(exc)) from exc
    _saved(session, admin, now, "knowledge.upload", f"knowledge-file:{name}")
    return {"file": name, "entries": total}


class Answered(Input):
    entry_id: str = Field(min_length=1, max_length=80, description="the knowledge entry that answers it")


def _question(row: UnansweredQuestion) -> dict[str, Any]:
    return {
        "id": row.id,
        "text": row.text,
        "asked": row.asked,
        "status": row.status.value,
        "suggested": row.suggested,
        "entry_id": row.entry_id,
        "first_asked_at": row.first_asked_at.isoformat(),
        "last_asked_at": row.last_asked_at.isoformat(),
    }


@router.get("/knowledge-questions")
def unanswered(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _actor: DeskActor,
    page: PageDep,
) -> dict[str, Any]:
    """Questions residents asked that the bot could not answer, the most asked first."""
    rows, total = fetch(session, open_questions_query(), page)
    return listing(request, response, page, [_question(row) for row in rows], total)


def _close(session: SessionDep, question_id: int, status_: QuestionStatus, entry_id: str = "") -> None:
    if not close_question(session, question_id=question_id, status=status_, entry_id=entry_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"question {question_id} not found")


@router.post("/knowledge-questions/{question_id}/answered")
def mark_answered(
    question_id: RowId, body: Answered, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    """Record that an entry (added or edited) now answers this question."""
    with session.begin():
        _close(session, question_id, QuestionStatus.answered, body.entry_id)
        audit(session, actor=admin, action="knowledge.answered", now=now, target=f"question:{question_id}")
    return {"id": question_id, "status": "answered", "entry_id": body.entry_id}


@router.post("/knowledge-questions/{question_id}/dismiss")
def dismiss(question_id: RowId, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    """Not a question for the knowledge base (it reopens if residents keep asking it)."""
    with session.begin():
        _close(session, question_id, QuestionStatus.dismissed)
        audit(session, actor=admin, action="knowledge.dismiss", now=now, target=f"question:{question_id}")
    return {"id": question_id, "status": "dismissed"}
