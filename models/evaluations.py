"""物业服务评议: the office opens a periodic evaluation of the property company (a quarter or a
month), residents score it household by household in chat, and closing it publishes a star
rating (星级物业) made from the answers and the period's 三率 by ``models.evaluation_stars``.

One answer per household (flat): a second answer from the same flat, by the same person or
another member of the household, replaces the first until the evaluation closes — the latest
counts, as with ballots. Only residents whose home is verified answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import LOCAL_TZ, enum_field, json_field, utc_field
from models.community import Building, Room, default_community
from models.evaluation_stars import DIMENSION_NAMES, DIMENSIONS, RATE_NAMES, star_rating
from models.fanout import Target, enqueue_many, enqueue_people
from models.people import Person
from models.residency import is_verified
from models.stats import three_rates

_PERIOD = re.compile(r"(\d{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))")


class EvaluationStatus(StrEnum):
    open = "open"
    published = "published"  # closed, with its result stored and announced


class Evaluation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    period: str = Field(max_length=7)  # "2026-Q4" or "2026-11"
    status: EvaluationStatus = enum_field(EvaluationStatus, EvaluationStatus.open, index=True)
    opened_by: str = ""
    created_at: datetime = utc_field()
    closes_at: datetime = utc_field(index=True)
    closed_at: datetime | None = utc_field(nullable=True)
    result: dict[str, Any] = json_field()

    @property
    def title(self) -> str:
        return period_title(self.period) + "物业服务评议"

    def is_open(self, now: datetime) -> bool:
        return self.status == EvaluationStatus.open and now < self.closes_at


class EvaluationAnswer(SQLModel, table=True):
    __tablename__ = "evaluation_answer"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("evaluation_id", "room_id"),)
    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    room_id: int = Field(foreign_key="room.id")
    person_id: int = Field(foreign_key="person.id")
    scores: dict[str, int] = json_field()
    answered_at: datetime = utc_field()


class EvaluationRefused(ValueError):
    """An answer that cannot be taken; ``reason`` (closed | bind_first | unverified | bad_scores)
    is a short code the caller words for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EvaluationConflict(ValueError):
    """The evaluation is not in the state the change needs (one already open; this one closed)."""


@dataclass(frozen=True)
class Answered:
    evaluation: Evaluation
    scores: dict[str, int]
    replaced: dict[str, int] | None  # the household's earlier answer this one replaces


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """The UTC instants at which the local quarter "2026-Q4" (or month "2026-11") begins and ends."""
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValueError('period is a quarter "2026-Q4" or a month "2026-11"')
    year = int(match.group(1))
    first = (int(match.group(2)) - 1) * 3 + 1 if match.group(2) else int(match.group(3))
    months = 3 if match.group(2) else 1
    after = first + months
    start = datetime(year, first, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + (after - 1) // 12, (after - 1) % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def period_title(period: str) -> str:
    year, part = period.split("-")
    return f"{year}年第{part[1]}季度" if part.startswith("Q") else f"{year}年{int(part)}月"


def scores_text(scores: dict[str, int]) -> str:
    return "、".join(f"{DIMENSION_NAMES[d]}{scores[d]}" for d in DIMENSIONS)


def open_evaluation(
    session: Session, *, period: str, closes_at: datetime, now: datetime, opened_by: str = ""
) -> Evaluation:
    """Open the evaluation of ``period`` and invite every resident bound to a flat of the
    community (one push each, through the outbox, in this transaction)."""
    period_bounds(period)
    if closes_at <= now:
        raise ValueError("closes_at must be later than now")
    if session.exec(select(Evaluation.id).where(Evaluation.status == EvaluationStatus.open)).first():
        raise EvaluationConflict("an evaluation is already open: close it first")
    community = default_community(session)
    evaluation = Evaluation(
        community_id=community.id if community else None,
        period=period,
        opened_by=opened_by,
        created_at=now,
        closes_at=closes_at,
    )
    session.add(evaluation)
    session.flush()
    names = "、".join(DIMENSION_NAMES[d] for d in DIMENSIONS)
    text = (
        f"【物业服务评议】{evaluation.title}开始了，{_local(closes_at)}截止。请为物业的{names}"
        "各打 1 到 5 分（5 分最满意），每户一份：回复「评议」开始，或直接回复「评议 5 4 5 3 4」。"
    )
    people = (
        select(Person.id).join(Room, col(Person.room_id) == Room.id).where(col(Person.subscribed).is_(True))
    )
    if evaluation.community_id is not None:
        people = people.join(Building, col(Room.building_id) == Building.id).where(
            Building.community_id == evaluation.community_id
        )
    enqueue_people(
        session,
        people.order_by(col(Person.id)),
        key_prefix=f"evaluation:{evaluation.id}:invite:",
        kind="evaluation",
        text=text,
        now=now,
    )
    return evaluation


def current_evaluation(session: Session, *, now: datetime) -> Evaluation | None:
    """The evaluation residents can answer now, if any."""
    found = session.exec(select(Evaluation).where(Evaluation.status == EvaluationStatus.open)).first()
    return found if found is not None and found.is_open(now) else None


def latest_published(session: Session) -> Evaluation | None:
    query = select(Evaluation).where(Evaluation.status == EvaluationStatus.published)
    return session.exec(query.order_by(col(Evaluation.closed_at).desc(), col(Evaluation.id).desc())).first()


def household_answer(session: Session, *, evaluation: Evaluation, person: Person) -> EvaluationAnswer | None:
    if person.room_id is None:
        return None
    query = select(EvaluationAnswer).where(
        EvaluationAnswer.evaluation_id == evaluation.id, EvaluationAnswer.room_id == person.room_id
    )
    return session.exec(query).first()


def check_answerer(session: Session, *, person: Person) -> None:
    """Refuse someone who may not answer: not bound to a flat, or bound but not verified yet."""
    if person.room_id is None:
        raise EvaluationRefused("bind_first")
    if not is_verified(session, person):
        raise EvaluationRefused("unverified")


def answer(
    session: Session, *, evaluation_id: int, person: Person, scores: dict[str, int], now: datetime
) -> Answered:
    """The household's answer; it replaces the household's earlier one while the evaluation is open."""
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or not evaluation.is_open(now):
        raise EvaluationRefused("closed")
    check_answerer(session, person=person)
    if set(scores) != set(DIMENSIONS) or any(not 1 <= int(v) <= 5 for v in scores.values()):
        raise EvaluationRefused("bad_scores")
    clean = {d: int(scores[d]) for d in DIMENSIONS}
    existing = household_answer(session, evaluation=evaluation, person=person)
    if existing is None:
        row = EvaluationAnswer(
            evaluation_id=evaluation_id,
            room_id=person.room_id,
            person_id=person.id,
            scores=clean,
            answered_at=now,
        )  # type: ignore[arg-type]
        try:
            with session.begin_nested():  # another member of the flat may answer at the same moment
                session.add(row)
            return Answered(evaluation, clean, None)
        except IntegrityError:
            existing = household_answer(session, evaluation=evaluation, person=person)
            assert existing is not None
    previous = dict(existing.scores)
    existing.scores, existing.person_id, existing.answered_at = clean, person.id, now  # type: ignore[assignment]
    session.add(existing)
    session.flush()
    return Answered(evaluation, clean, previous)


def answers_of(session: Session, evaluation_id: int) -> list[list[int]]:
    """Every household's five scores, in ``DIMENSIONS`` order, by flat."""
    query = select(EvaluationAnswer).where(EvaluationAnswer.evaluation_id == evaluation_id)
    rows = session.exec(query.order_by(col(EvaluationAnswer.room_id)))
    return [[row.scores[d] for d in DIMENSIONS] for row in rows]


def figures(session: Session, evaluation: Evaluation, *, now: datetime) -> dict[str, Any]:
    """The star rating as it stands (or as published): answers, 三率 with their counts, stars."""
    start, end = period_bounds(evaluation.period)
    operations = three_rates(session, now=now, start=start, end=end, community_id=evaluation.community_id)
    result = star_rating(answers_of(session, evaluation.id), operations)  # type: ignore[arg-type]
    return {**result, "rate_counts": operations["counts"], "period": evaluation.period}


def close_evaluation(session: Session, *, evaluation_id: int, now: datetime) -> Evaluation:
    """Close it, store the star rating with its raw figures, and announce it to the building groups."""
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.status != EvaluationStatus.open:
        raise EvaluationConflict(f"evaluation {evaluation_id} is not open")
    result = {**figures(session, evaluation, now=now), "computed_at": now.isoformat()}
    changed = session.execute(
        update(Evaluation)
        .where(col(Evaluation.id) == evaluation_id, col(Evaluation.status) == EvaluationStatus.open)
        .values(status=EvaluationStatus.published, closed_at=now, result=result)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise EvaluationConflict(f"evaluation {evaluation_id} is not open")
    session.refresh(evaluation)
    buildings = select(Building.id).order_by(col(Building.id))
    if evaluation.community_id is not None:
        buildings = buildings.where(Building.community_id == evaluation.community_id)
    targets = [
        Target(f"evaluation:{evaluation_id}:result:building:{b}", building_id=b)
        for b in session.exec(buildings)
    ]
    enqueue_many(session, targets, kind="evaluation", text=result_text(evaluation), now=now)
    return evaluation


def close_due(session: Session, *, now: datetime) -> int:
    """Close and publish every open evaluation whose time is up (the scheduler's job)."""
    due = session.exec(
        select(Evaluation.id).where(
            Evaluation.status == EvaluationStatus.open, col(Evaluation.closes_at) <= now
        )
    ).all()
    for evaluation_id in due:
        close_evaluation(session, evaluation_id=evaluation_id, now=now)  # type: ignore[arg-type]
    return len(due)


def result_text(evaluation: Evaluation) -> str:
    """The published result in one message, as residents and the building groups read it."""
    result = evaluation.result
    means = "、".join(
        f"{DIMENSION_NAMES[d]}{result['means'][d]:.1f}" for d in DIMENSIONS if result["means"][d]
    )
    rates = "、".join(
        f"{name}{round(value * 100)}%"
        for key, name in RATE_NAMES.items()
        if (value := result["rates"][key]) is not None
    )
    parts = [f"{result['households']} 户参与"]
    parts += [f"平均分 {means}"] if means else []
    parts += [rates] if rates else []
    stars = result["stars"]
    if stars is None:
        verdict = f"参与不足 {result['min_households']} 户，本期不评星"
    else:
        verdict = f"评为 {'★' * stars}{'☆' * (5 - stars)} {stars} 星"
    return f"【星级物业】{evaluation.title}：{verdict}（{'；'.join(parts)}）。"


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")
