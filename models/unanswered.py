"""Questions residents asked that the knowledge base could not answer with confidence.

Kept (one row per distinct question, counted each time it is asked again) so that an admin can
answer them into the knowledge base from the console, or dismiss them. Answering one records
the entry that now answers it.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from models.base import enum_field, utc_field

MAX_TEXT = 300
_SPACE = re.compile(r"\s+")


class QuestionStatus(StrEnum):
    open = "open"
    answered = "answered"
    dismissed = "dismissed"


class UnansweredQuestion(SQLModel, table=True):
    __tablename__ = "unanswered_question"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=MAX_TEXT, unique=True)  # the question, whitespace folded
    text: str = Field(max_length=MAX_TEXT)
    asked: int = 1
    status: QuestionStatus = enum_field(QuestionStatus, QuestionStatus.open, index=True)
    entry_id: str = Field(default="", max_length=80)  # the knowledge entry that answers it now
    suggested: str = Field(default="", max_length=200)  # what the bot offered instead, if anything
    first_asked_at: datetime = utc_field()
    last_asked_at: datetime = utc_field(index=True)


def _key(text: str) -> str:
    return _SPACE.sub(" ", text).strip()[:MAX_TEXT]


def record_unanswered(session: Session, *, text: str, suggested: str = "", now: datetime) -> None:
    """Count a question the bot could not answer (a new row, or one more ask of a known one)."""
    key = _key(text)
    if not key:
        return
    row = session.exec(select(UnansweredQuestion).where(UnansweredQuestion.key == key)).first()
    if row is None:
        session.add(
            UnansweredQuestion(
                key=key, text=key, suggested=suggested[:200], first_asked_at=now, last_asked_at=now
            )
        )
        return
    row.asked += 1
    row.last_asked_at = now
    if row.status == QuestionStatus.dismissed:
        row.status = QuestionStatus.open  # asked again: worth another look
    session.add(row)


def open_questions_query() -> SelectOfScalar[UnansweredQuestion]:
    """Open questions, the most asked and then the most recent first (a query, for paging)."""
    return (
        select(UnansweredQuestion)
        .where(UnansweredQuestion.status == QuestionStatus.open)
        .order_by(
            col(UnansweredQuestion.asked).desc(),
            col(UnansweredQuestion.last_asked_at).desc(),
            col(UnansweredQuestion.id).desc(),
        )
    )


def open_questions(session: Session, *, limit: int = 100) -> list[UnansweredQuestion]:
    """Open questions, the most asked and then the most recent first."""
    return list(session.exec(open_questions_query().limit(limit)))


def close_question(session: Session, *, question_id: int, status: QuestionStatus, entry_id: str = "") -> bool:
    """Mark a question answered (by ``entry_id``) or dismissed; False when there is no such question."""
    row = session.get(UnansweredQuestion, question_id)
    if row is None:
        return False
    row.status, row.entry_id = status, entry_id[:80]
    session.add(row)
    return True
