"""Volunteer activities, attendance and teams (elder visits: bot.api.visits)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import Field
from sqlmodel import Session, col, select

from bot.api.deps import (
    AdminActor,
    Everyone,
    NowDep,
    OfficeActor,
    ReadSessionDep,
    SessionDep,
    person_or_404,
)
from bot.api.limits import Count, Input, RowId, When
from bot.api.paging import PageDep, fetch, listing
from models.access import audit
from models.activities import Activity, Signup, create_activity
from models.attendance import mark_attended
from models.community import Building, Grid
from models.people import Person, person_by_openid
from models.teams import create_team

router = APIRouter(tags=["activities"])


class ActivityCreate(Input):
    title: Annotated[str, Field(min_length=1, max_length=100)]
    kind: str = ""
    starts_at: When
    ends_at: When | None = None
    place: str = ""
    capacity: Annotated[Count, Field(ge=1)]
    points: Count | None = None  # None: the [points] earning rules decide
    description: str = ""
    building: str | None = None  # limit to one building's residents
    grid: str | None = None  # or to one grid's
    signup_deadline: When | None = None
    organiser_openid: str | None = None
    checkin_code: Annotated[str, Field(pattern=r"^([0-9]{3,6})?$")] = ""


class Attendance(Input):
    openids: Annotated[list[str], Field(min_length=1)]


class TeamCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    kind: str = ""
    leader_openid: str | None = None


def _person(session: Session, openid: str | None) -> Person | None:
    return None if openid is None else person_or_404(session, openid)


def _public(activity: Activity) -> dict[str, Any]:
    return activity.model_dump(mode="json")


@router.post("/activities", status_code=status.HTTP_201_CREATED)
def post_activity(
    body: ActivityCreate, request: Request, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    points = body.points if body.points is not None else request.app.state.settings.points.for_kind(body.kind)
    with session.begin():
        building_id = grid_id = None
        if body.building is not None:
            building = session.exec(select(Building).where(Building.number == body.building.upper())).first()
            if building is None:
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"no building {body.building}"
                )
            building_id = building.id
        if body.grid is not None:
            grid = session.exec(select(Grid).where(Grid.name == body.grid)).first()
            if grid is None:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"no grid {body.grid}")
            grid_id = grid.id
        organiser = _person(session, body.organiser_openid)
        try:
            activity = create_activity(
                session,
                title=body.title,
                kind=body.kind,
                starts_at=body.starts_at,
                ends_at=body.ends_at,
                place=body.place,
                capacity=body.capacity,
                points=points,
                description=body.description,
                building_id=building_id,
                grid_id=grid_id,
                signup_deadline=body.signup_deadline,
                organiser_id=organiser.id if organiser else None,
                checkin_code=body.checkin_code,
                now=now,
            )
        except ValueError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
        audit(session, actor=admin, action="activity.create", now=now, target=f"activity:{activity.id}")
        return {"id": activity.id, "checkin_code": activity.checkin_code, "points": activity.points}


@router.get("/activities")
def list_activities(
    request: Request, response: Response, session: ReadSessionDep, actor: Everyone, page: PageDep
) -> dict[str, Any]:
    """Every activity; a grid worker's list leaves out those limited to other grids or buildings."""
    query = select(Activity).order_by(col(Activity.starts_at), col(Activity.id))
    if actor.building_ids is not None:
        query = query.where(
            col(Activity.grid_id).is_(None) | (col(Activity.grid_id) == actor.grid_id),
            col(Activity.building_id).is_(None) | col(Activity.building_id).in_(actor.building_ids),
        )
    rows, total = fetch(session, query, page)
    return listing(request, response, page, [_public(a) for a in rows], total)


@router.get("/activities/{activity_id}/signups")
def list_signups(
    activity_id: RowId,
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _office: OfficeActor,
    page: PageDep,
) -> dict[str, Any]:
    if session.get(Activity, activity_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"activity {activity_id} not found")
    query = (
        select(Signup, Person)
        .join(Person, col(Person.id) == Signup.person_id)
        .where(Signup.activity_id == activity_id)
        .order_by(col(Signup.queued_at), col(Signup.id))
    )
    rows, total = fetch(session, query, page)
    items = [
        {
            "openid": p.openid,
            "name": p.name,
            "status": s.status.value,
            "queued_at": s.queued_at,
            "attended_at": s.attended_at,
        }
        for s, p in rows
    ]
    return listing(request, response, page, items, total)


@router.post("/activities/{activity_id}/attendance")
def post_attendance(
    activity_id: RowId, body: Attendance, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    """The organiser confirms who came: points are credited once per person, however often this is sent."""
    credited: list[str] = []
    already: list[str] = []
    unknown: list[str] = []
    with session.begin():
        activity = session.get(Activity, activity_id)
        if activity is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"activity {activity_id} not found")
        for openid in dict.fromkeys(body.openids):
            person = person_by_openid(session, openid)
            if person is None:
                unknown.append(openid)
                continue
            added = mark_attended(
                session, activity=activity, person_id=person.id, by=admin.tag, now=now, walk_in=True
            )  # type: ignore[arg-type]
            (credited if added else already).append(openid)
        audit(
            session,
            actor=admin,
            action="activity.attendance",
            now=now,
            target=f"activity:{activity_id}",
            credited=credited,
        )
    return {"credited": credited, "already": already, "unknown": unknown, "points": activity.points}


@router.post("/teams", status_code=status.HTTP_201_CREATED)
def post_team(body: TeamCreate, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    with session.begin():
        leader = _person(session, body.leader_openid)
        try:
            team = create_team(
                session, name=body.name, kind=body.kind, leader_id=leader.id if leader else None, now=now
            )
        except ValueError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
        audit(session, actor=admin, action="team.create", now=now, target=f"team:{team.id}")
        return {"id": team.id}
