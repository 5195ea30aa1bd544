"""物业服务评议 for the office: open a period's evaluation (residents are invited), follow it,
close it (the star rating is computed, stored with its raw figures and announced)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import Field
from sqlmodel import Session, col, select

from bot.api.deps import ActorDep, AdminActor, NowDep, ReadSessionDep, SessionDep
from bot.api.limits import Input, RowId, When
from bot.api.paging import PageDep, fetch, listing
from models.access import audit
from models.evaluations import (
    Evaluation,
    EvaluationConflict,
    EvaluationStatus,
    close_evaluation,
    figures,
    open_evaluation,
)

router = APIRouter(tags=["evaluations"])


class EvaluationCreate(Input):
    period: Annotated[
        str,
        Field(
            pattern=r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$", description='a quarter "2026-Q4" or a month "2026-11"'
        ),
    ]
    closes_at: When


def _get(session: Session, evaluation_id: int) -> Evaluation:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"evaluation {evaluation_id} not found")
    return evaluation


def _public(session: Session, evaluation: Evaluation, now: datetime) -> dict[str, object]:
    published = evaluation.status == EvaluationStatus.published
    return {
        "id": evaluation.id,
        "title": evaluation.title,
        "period": evaluation.period,
        "status": evaluation.status.value if published or evaluation.is_open(now) else "due",
        "closes_at": evaluation.closes_at.isoformat(),
        "closed_at": evaluation.closed_at.isoformat() if evaluation.closed_at else None,
        # Published: the stored result; open: the figures as they stand now.
        "result": evaluation.result if published else figures(session, evaluation, now=now),
    }


@router.post("/evaluations", status_code=status.HTTP_201_CREATED)
def create(body: EvaluationCreate, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, object]:
    try:
        with session.begin():
            evaluation = open_evaluation(
                session, period=body.period, closes_at=body.closes_at, now=now, opened_by=admin.tag
            )
            audit(
                session, actor=admin, action="evaluation.open", now=now, target=f"evaluation:{evaluation.id}"
            )
            return {"id": evaluation.id, "title": evaluation.title, "status": evaluation.status.value}
    except EvaluationConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc


@router.get("/evaluations")
def list_evaluations(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _actor: ActorDep,
    now: NowDep,
    page: PageDep,
) -> dict[str, object]:
    rows, total = fetch(session, select(Evaluation).order_by(col(Evaluation.id)), page)
    return listing(request, response, page, [_public(session, e, now) for e in rows], total)


@router.get("/evaluations/{evaluation_id}")
def get_evaluation(
    evaluation_id: RowId, session: ReadSessionDep, _actor: ActorDep, now: NowDep
) -> dict[str, object]:
    return _public(session, _get(session, evaluation_id), now)


@router.post("/evaluations/{evaluation_id}/close")
def close(evaluation_id: RowId, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, object]:
    """Close it now (the scheduler also closes it at ``closes_at``) and publish the star rating."""
    try:
        with session.begin():
            _get(session, evaluation_id)
            evaluation = close_evaluation(session, evaluation_id=evaluation_id, now=now)
            audit(
                session, actor=admin, action="evaluation.close", now=now, target=f"evaluation:{evaluation_id}"
            )
            return _public(session, evaluation, now)
    except EvaluationConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
