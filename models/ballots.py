"""Owners' ballots on a proposal (网上议事): cast in chat by a verified owner or entered from paper
(唱票), one per owner and changeable until the close; the Art. 278 count, the per-room detail
for publication, and closing a proposal with its count announced to the buildings' groups.
Proposals themselves (create, publish, discuss) are in ``models.proposals``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.community import room_label
from models.outbox import enqueue
from models.ownership import owned_room_ids, rooms_in_scope, units_for, units_in_scope
from models.people import Person
from models.proposals import CHOICE_NAMES, Ballot, Proposal, ProposalStatus, VoteRefused
from models.residency import is_verified, open_residency
from models.residency_record import describe_verification, verification
from models.tally import CHOICES, Choice, Tally, tally


@dataclass(frozen=True)
class CastResult:
    proposal: Proposal
    choice: str
    previous: str | None  # the owner's earlier choice this ballot replaces


def _cast(
    session: Session, *, proposal: Proposal, owner: str, choice: str, channel: str, now: datetime, **who: Any
) -> CastResult:
    if choice not in CHOICES:
        raise VoteRefused("bad_choice")
    phase = proposal.phase(now)
    if phase != "voting":
        raise VoteRefused(f"not_voting:{phase}")
    existing = session.exec(
        select(Ballot).where(Ballot.proposal_id == proposal.id, Ballot.owner == owner)
    ).first()
    previous = existing.choice if existing else None
    ballot = existing or Ballot(
        proposal_id=proposal.id, owner=owner, choice=choice, channel=channel, cast_at=now
    )  # type: ignore[arg-type]
    ballot.choice, ballot.channel, ballot.cast_at = choice, channel, now
    ballot.person_id, ballot.entered_by = who.get("person_id"), who.get("entered_by", "")
    ballot.verification = who.get("verification", {})
    session.add(ballot)
    session.flush()
    return CastResult(proposal, choice, previous)


def vote_in_chat(
    session: Session, *, proposal: Proposal, person: Person, choice: Choice, now: datetime
) -> CastResult:
    """A verified owner's own ballot. Household members and tenants do not vote (民法典第二百七十八条),
    nor does anyone whose claim on a flat is not verified yet."""
    mine = owned_room_ids(session, person)
    chosen = next(iter(units_in_scope(session, proposal.scope, among=mine)), None)
    if chosen is None:
        raise VoteRefused(
            "unverified" if person.room_id and not is_verified(session, person) else "not_owner"
        )
    residency = open_residency(session, person_id=person.id, room_id=chosen.room_id)  # type: ignore[arg-type]
    behind = verification(residency) or {"via": "owner_record", "by": "业主登记"}
    return _cast(
        session,
        proposal=proposal,
        owner=chosen.owner,
        choice=choice,
        channel="chat",
        now=now,
        person_id=person.id,
        verification={**behind, "room_id": chosen.room_id},
    )


def enter_paper_ballot(
    session: Session,
    *,
    proposal_id: int,
    building: str,
    unit: str,
    room: str,
    choice: Choice,
    entered_by: str,
    now: datetime,
    owners_only: bool = False,
) -> CastResult:
    """唱票: an admin enters a paper ballot for a room; it counts once with any chat ballot of the same owner.
    With ``owners_only`` a room whose owner is not verified or recorded is refused."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise LookupError(f"proposal {proposal_id} not found")
    rooms = rooms_in_scope(session, proposal.scope)
    wanted = (building.upper(), unit, room)
    match = [(b, r) for b, r in rooms if (b.number, r.unit, r.room) == wanted]
    if not match:
        raise VoteRefused("room_not_in_scope")
    owner = units_for(session, match)[0].owner
    if owners_only and owner.startswith("r"):
        raise VoteRefused("owner_not_verified")
    return _cast(
        session,
        proposal=proposal,
        owner=owner,
        choice=choice,
        channel="paper",
        now=now,
        entered_by=entered_by,
        verification={"via": "paper", "by": entered_by, "at": now.isoformat(), "room_id": match[0][1].id},
    )


def current_tally(session: Session, proposal: Proposal) -> Tally:
    units = units_in_scope(session, proposal.scope)
    ballots = {
        b.owner: b.choice for b in session.exec(select(Ballot).where(Ballot.proposal_id == proposal.id))
    }
    return tally(units, ballots, matter=proposal.matter)  # type: ignore[arg-type]


def household_ballot(session: Session, *, proposal: Proposal, person: Person) -> Ballot | None:
    """The ballot that counts for this person's home (theirs, or the owner's), if any."""
    home = person.room_id
    if home is None:
        return None
    units = units_in_scope(session, proposal.scope, among=[home])
    if not units:
        return None
    owner = units[0].owner
    return session.exec(
        select(Ballot).where(Ballot.proposal_id == proposal.id, Ballot.owner == owner)
    ).first()


def anonymised_detail(session: Session, proposal: Proposal) -> list[dict[str, Any]]:
    """Per-room detail for publication: room numbers masked, area and choice shown."""
    rooms = rooms_in_scope(session, proposal.scope)
    found = session.exec(select(Ballot).where(Ballot.proposal_id == proposal.id)).all()
    ballots = {b.owner: b.choice for b in found}
    behind = {b.owner: describe_verification(b.verification) for b in found}
    detail = []
    for (building, room), unit in zip(rooms, units_for(session, rooms), strict=True):
        masked = room_label(building, room.model_copy(update={"room": room.room[:-2] + "**"}))
        detail.append(
            {
                "room": masked,
                "area": room.area,
                "choice": CHOICE_NAMES.get(ballots.get(unit.owner, ""), "未投票"),
                "verification": behind.get(unit.owner, ""),
            }
        )
    return detail


def close_due(session: Session, *, now: datetime) -> int:
    """Close every proposal whose voting has ended, store its tally and announce the result."""
    due = session.exec(
        select(Proposal).where(
            Proposal.status == ProposalStatus.published, col(Proposal.votes_close_at) <= now
        )
    ).all()
    return sum(_close(session, proposal, now=now) for proposal in due)


def close_now(session: Session, *, proposal_id: int, now: datetime) -> Proposal:
    """End voting early (the office closes it by hand): tally, store and announce as at the deadline;
    the planned deadline stays on record beside ``closed_at``."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.status != ProposalStatus.published:
        raise ValueError(f"proposal {proposal_id} is not open")
    if not _close(session, proposal, now=now):
        raise ValueError(f"proposal {proposal_id} is not open")
    session.refresh(proposal)
    return proposal


def _close(session: Session, proposal: Proposal, *, now: datetime) -> int:
    """Store the tally, mark it closed and announce the result to the buildings in scope; 1 if it closed."""
    result = current_tally(session, proposal)
    changed = session.execute(
        update(Proposal)
        .where(col(Proposal.id) == proposal.id, col(Proposal.status) == ProposalStatus.published)
        .values(status=ProposalStatus.closed, closed_at=now, result=result.as_json())
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return 0
    verdict = "通过" if result.passed else "未通过"
    text = f"【议事结果】{proposal.code}「{proposal.title}」{verdict}。{result.reason}"
    buildings = {b.id for b, _ in rooms_in_scope(session, proposal.scope)}
    for building_id in sorted(buildings):
        enqueue(
            session,
            idempotency_key=f"proposal:{proposal.id}:result:building:{building_id}",
            building_id=building_id,
            kind="vote",
            text=text,
            now=now,
        )
    return 1
