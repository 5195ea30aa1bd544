"""网上议事 for admins: create and publish proposals, enter paper ballots (唱票), read the tally."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import Field
from sqlmodel import Session, col, select

from bot.api.deps import ActorDep, AdminActor, NowDep, ReadSessionDep, SessionDep
from bot.api.limits import Input, RowId, When
from bot.api.paging import PageDep, fetch, listing
from models.access import audit
from models.community import Building, Room, room_label
from models.proposals import (
    CHOICE_NAMES,
    MATTERS,
    Ballot,
    Proposal,
    VoteRefused,
    anonymised_detail,
    comments,
    create_proposal,
    current_tally,
    enter_paper_ballot,
    publish_proposal,
)
from models.residency_record import describe_verification

router = APIRouter(tags=["proposals"])


class Scope(Input):
    buildings: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list, description='units as "building-unit", e.g. "3-2"')


class ProposalCreate(Input):
    title: Annotated[str, Field(min_length=1, max_length=100)]
    body: Annotated[str, Field(max_length=5000)] = ""
    matter: Annotated[int, Field(ge=1, le=9, description="民法典第二百七十八条第一款 item 1..9")]
    scope: Scope | None = None
    votes_open_at: When | None = None
    votes_close_at: When


class PaperBallot(Input):
    building: str
    unit: str = ""
    room: str
    choice: Literal["agree", "disagree", "abstain"]


def _get(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"proposal {proposal_id} not found")
    return proposal


def _public(
    session: Session, proposal: Proposal, now: datetime, *, detail: bool = False
) -> dict[str, object]:
    tally = proposal.result if proposal.result else current_tally(session, proposal).as_json()
    body: dict[str, object] = {
        "id": proposal.id,
        "code": proposal.code,
        "title": proposal.title,
        "body": proposal.body,
        "matter": proposal.matter,
        "matter_name": MATTERS[proposal.matter],
        "scope": proposal.scope,
        "status": proposal.phase(now),
        "votes_open_at": proposal.votes_open_at.isoformat(),
        "votes_close_at": proposal.votes_close_at.isoformat(),
        "tally": tally,
    }
    if detail:
        body["detail"] = anonymised_detail(session, proposal)
        body["comments"] = [
            {"text": c.text, "at": c.created_at.isoformat()} for c in comments(session, proposal)
        ]
    return body


@router.post("/proposals", status_code=status.HTTP_201_CREATED)
def create(body: ProposalCreate, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, object]:
    scope = body.scope.model_dump(exclude_defaults=True) if body.scope else {}
    try:
        with session.begin():
            proposal = create_proposal(
                session,
                title=body.title,
                body=body.body,
                matter=body.matter,
                scope=scope,
                votes_open_at=body.votes_open_at,
                votes_close_at=body.votes_close_at,
                raised_by=admin.tag,
                now=now,
            )
            audit(session, actor=admin, action="proposal.create", now=now, target=f"proposal:{proposal.id}")
            return {"id": proposal.id, "status": proposal.phase(now)}
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc


@router.get("/proposals")
def list_proposals(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _actor: ActorDep,
    now: NowDep,
    page: PageDep,
) -> dict[str, object]:
    rows, total = fetch(session, select(Proposal).order_by(col(Proposal.id)), page)
    return listing(request, response, page, [_public(session, p, now) for p in rows], total)


@router.get("/proposals/{proposal_id}")
def get_proposal(
    proposal_id: RowId, session: ReadSessionDep, _actor: ActorDep, now: NowDep
) -> dict[str, object]:
    return _public(session, _get(session, proposal_id), now, detail=True)


@router.post("/proposals/{proposal_id}/publish")
def publish(proposal_id: RowId, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, object]:
    try:
        with session.begin():
            _get(session, proposal_id)
            proposal = publish_proposal(session, proposal_id=proposal_id, now=now)
            audit(session, actor=admin, action="proposal.publish", now=now, target=f"proposal:{proposal_id}")
            return {"id": proposal.id, "status": proposal.phase(now)}
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc


@router.post("/proposals/{proposal_id}/ballots")
def paper_ballot(
    proposal_id: RowId, body: PaperBallot, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, object]:
    """唱票: a paper ballot for a room; it replaces any earlier ballot of the same owner."""
    try:
        with session.begin():
            _get(session, proposal_id)
            cast = enter_paper_ballot(
                session,
                proposal_id=proposal_id,
                building=body.building,
                unit=body.unit,
                room=body.room,
                choice=body.choice,
                entered_by=admin.tag,
                now=now,
            )
            room = f"{body.building}-{body.unit}-{body.room}"
            audit(
                session,
                actor=admin,
                action="proposal.paper_ballot",
                now=now,
                target=f"proposal:{proposal_id}",
                room=room,
                choice=body.choice,
            )
    except VoteRefused as refused:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=refused.reason) from refused
    return {"choice": cast.choice, "replaced": cast.previous}


@router.get("/proposals/{proposal_id}/ballots")
def list_ballots(
    request: Request,
    response: Response,
    proposal_id: RowId,
    session: ReadSessionDep,
    _admin: AdminActor,
    page: PageDep,
) -> dict[str, object]:
    """The vote record: each ballot with its room and the verification that stood behind it
    (owners' register, approved by whom, when; or the clerk of a paper ballot)."""
    _get(session, proposal_id)
    query = select(Ballot).where(Ballot.proposal_id == proposal_id).order_by(col(Ballot.id))
    rows, total = fetch(session, query, page)
    items = [ballot_record(session, ballot) for ballot in rows]
    return listing(request, response, page, items, total)


def ballot_record(session: Session, ballot: Ballot) -> dict[str, object]:
    """One line of the vote record: the room, the choice, and what verification stood behind it."""
    room_id = ballot.verification.get("room_id")
    room = session.get(Room, room_id) if room_id else None
    building = session.get(Building, room.building_id) if room else None
    return {
        "id": ballot.id,
        "owner": ballot.owner,
        "room": room_label(building, room) if building and room else "",
        "choice": ballot.choice,
        "choice_name": CHOICE_NAMES.get(ballot.choice, ballot.choice),
        "channel": ballot.channel,
        "cast_at": ballot.cast_at.isoformat(),
        "person_id": ballot.person_id,
        "entered_by": ballot.entered_by,
        "verification": ballot.verification,
        "verified_by": describe_verification(ballot.verification),
    }
