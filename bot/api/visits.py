"""Elder visits: rotas (create, list, pause, resume, reassign) and visits recorded with an outcome.

A refused rota change answers 422 with ``{"reason": key, "message": …}`` (reason
``first_due_in_past``, ``until_in_past``, ``stopped``, ``duplicate``, ``same_person``, …).
The admin changes every rota, the secretary reads them; grid workers see and change only
the rotas of elders living in their grid.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import Field
from sqlmodel import Session, col

from bot.api.deps import AdminActor, NowDep, ReadSessionDep, SessionDep, person_or_404, require
from bot.api.limits import Input, Key, RowId, When
from bot.api.paging import PageDep, fetch, listing
from models.access import Actor, ApiRole, audit
from models.community import Room
from models.people import Person, home_of
from models.visit_outcomes import LABEL, parse_outcome
from models.visit_records import record_visit
from models.visits import (
    RotaError,
    VisitRota,
    create_rota,
    is_paused,
    pause_rota,
    reassign_rota,
    resume_rota,
    rota_query,
)

router = APIRouter(tags=["visits"])
# The office reads every rota; the admin and grid workers (their own grid) change them.
ReadActor = Annotated[Actor, Depends(require(ApiRole.admin, ApiRole.secretary, ApiRole.grid_worker))]
VisitActor = Annotated[Actor, Depends(require(ApiRole.admin, ApiRole.grid_worker))]


class RotaCreate(Input):
    elder_openid: str
    volunteer_openid: str
    first_due_at: When
    every_days: Annotated[int, Field(ge=1, le=90)] = 7


class RotaPause(Input):
    until: When | None = None  # the pause ends by itself then (the next visit is due); else until resumed
    reason: Annotated[str, Field(max_length=200)] = ""


class RotaReassign(Input):
    volunteer_openid: str


class VisitCreate(Input):
    volunteer_openid: str
    outcome: Annotated[
        str,
        Field(
            description="seen | no_answer | away | needs_help, or 见到本人 / 无人应答 / 住院或外出 / 需要帮助"
        ),
    ]
    note: Annotated[str, Field(max_length=500)] = ""
    rota_id: RowId | None = None
    paused_until: When | None = None  # for away


def _refused(exc: RotaError) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT, detail={"reason": exc.reason, "message": str(exc)}
    )


def _public(session: Session, rota: VisitRota, now: datetime) -> dict[str, Any]:
    elder, volunteer = session.get(Person, rota.elder_id), session.get(Person, rota.volunteer_id)
    home = home_of(session, elder) if elder else None
    state = "stopped" if not rota.active else "paused" if is_paused(rota, now) else "running"
    return {
        **rota.model_dump(mode="json"),
        "state": state,
        "elder": {"openid": elder.openid, "name": elder.name} if elder else None,
        "volunteer": {"openid": volunteer.openid, "name": volunteer.name} if volunteer else None,
        "building_id": home[0].id if home else None,
    }


def _rota(session: Session, rota_id: int, actor: Actor) -> VisitRota:
    rota = session.get(VisitRota, rota_id)
    if rota is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="rota not found")
    elder = session.get(Person, rota.elder_id)
    home = home_of(session, elder) if elder else None
    if not actor.sees_building(home[0].id if home else None):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="rota is outside your grid")
    return rota


@router.post("/visits/rotas", status_code=status.HTTP_201_CREATED)
def post_rota(body: RotaCreate, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    with session.begin():
        elder = person_or_404(session, body.elder_openid)
        volunteer = person_or_404(session, body.volunteer_openid)
        try:
            rota = create_rota(
                session,
                elder_id=elder.id,  # type: ignore[arg-type]
                volunteer_id=volunteer.id,  # type: ignore[arg-type]
                first_due_at=body.first_due_at,
                every_days=body.every_days,
                now=now,
            )
        except RotaError as exc:
            raise _refused(exc) from exc
        audit(session, actor=admin, action="visit_rota.create", now=now, target=f"visit_rota:{rota.id}")
        return {"id": rota.id, "next_due_at": rota.next_due_at}


@router.get("/visits/rotas")
def list_rotas(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    actor: ReadActor,
    page: PageDep,
    now: NowDep,
    state: Literal["running", "paused", "stopped"] | None = None,
    volunteer: Annotated[Key | None, Query(description="the volunteer's openid")] = None,
    elder: Annotated[Key | None, Query(description="the elder's openid")] = None,
) -> dict[str, Any]:
    volunteer_id = person_or_404(session, volunteer).id if volunteer else None
    elder_id = person_or_404(session, elder).id if elder else None
    query = rota_query(volunteer_id=volunteer_id, elder_id=elder_id, state=state, now=now)
    if actor.building_ids is not None:
        query = (
            query.join(Person, col(Person.id) == VisitRota.elder_id)
            .join(Room, col(Room.id) == Person.room_id)
            .where(col(Room.building_id).in_(actor.building_ids))
        )
    rows, total = fetch(session, query, page)
    return listing(request, response, page, [_public(session, r, now) for r in rows], total)


@router.post("/visits/rotas/{rota_id}/pause")
def post_pause(
    rota_id: RowId, body: RotaPause, session: SessionDep, actor: VisitActor, now: NowDep
) -> dict[str, Any]:
    with session.begin():
        rota = _rota(session, rota_id, actor)
        try:
            pause_rota(session, rota=rota, now=now, until=body.until, reason=body.reason)
        except RotaError as exc:
            raise _refused(exc) from exc
        audit(session, actor=actor, action="visit_rota.pause", now=now, target=f"visit_rota:{rota.id}")
        return _public(session, rota, now)


@router.post("/visits/rotas/{rota_id}/resume")
def post_resume(rota_id: RowId, session: SessionDep, actor: VisitActor, now: NowDep) -> dict[str, Any]:
    with session.begin():
        rota = _rota(session, rota_id, actor)
        try:
            resume_rota(session, rota=rota, now=now)
        except RotaError as exc:
            raise _refused(exc) from exc
        audit(session, actor=actor, action="visit_rota.resume", now=now, target=f"visit_rota:{rota.id}")
        return _public(session, rota, now)


@router.post("/visits/rotas/{rota_id}/reassign")
def post_reassign(
    rota_id: RowId, body: RotaReassign, session: SessionDep, actor: VisitActor, now: NowDep
) -> dict[str, Any]:
    with session.begin():
        rota = _rota(session, rota_id, actor)
        volunteer = person_or_404(session, body.volunteer_openid)
        before = rota.volunteer_id
        try:
            reassign_rota(session, rota=rota, volunteer_id=volunteer.id)  # type: ignore[arg-type]
        except RotaError as exc:
            raise _refused(exc) from exc
        audit(
            session,
            actor=actor,
            action="visit_rota.reassign",
            now=now,
            target=f"visit_rota:{rota.id}",
            from_person=before,
            to_person=volunteer.id,
        )
        return _public(session, rota, now)


@router.post("/visits", status_code=status.HTTP_201_CREATED)
def post_visit(
    body: VisitCreate, request: Request, session: SessionDep, actor: VisitActor, now: NowDep
) -> dict[str, Any]:
    """Record a visit for a volunteer (paper forms, a phone call to the office) with its outcome."""
    try:
        outcome = parse_outcome(body.outcome)
    except ValueError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail={"reason": "outcome", "message": str(exc)}
        ) from exc
    settings = request.app.state.settings
    with session.begin():
        volunteer = person_or_404(session, body.volunteer_openid)
        rota = _rota(session, body.rota_id, actor) if body.rota_id is not None else None
        if rota is not None and rota.volunteer_id != volunteer.id:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail={"reason": "not_their_rota", "message": "the rota belongs to another volunteer"},
            )
        try:
            result = record_visit(
                session,
                rules=settings.tickets,
                volunteer=volunteer,
                outcome=outcome,
                note=body.note,
                rota=rota,
                now=now,
                dedupe=f"api:{secrets.token_hex(8)}",
                points=settings.points.visit,
                paused_until=body.paused_until,
            )
        except RotaError as exc:
            raise _refused(exc) from exc
        if result.status == "no_rota" or result.rota is None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail={"reason": "no_rota", "message": "the volunteer has no visit rota"},
            )
        audit(session, actor=actor, action="visit.record", now=now, target=f"visit_rota:{result.rota.id}")
        session.refresh(result.rota)
        return {
            "outcome": outcome.value,
            "label": LABEL[outcome],
            "counted": result.counted,
            "ticket": result.ticket.code if result.ticket else None,
            "closed_checks": [t.code for t in result.closed],
            "rota": _public(session, result.rota, now),
        }
