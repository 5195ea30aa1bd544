"""网上议事: proposals (议题), owners' ballots across chat and paper, and their publication.

A proposal is published to the owners it concerns, discussed until ``votes_open_at``, voted on
until ``votes_close_at`` (one ballot per owner, changeable until the close, the latest
counting whichever channel it came from), then closed with its Art. 278 tally and announced
to the buildings' group chats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import LOCAL_TZ, enum_field, json_field, utc_field
from models.community import Building, room_label
from models.outbox import enqueue
from models.ownership import any_room_in_scope, owned_room_ids, rooms_in_scope, units_for, units_in_scope
from models.people import Person, Role
from models.residency import is_verified, open_residency
from models.residency_record import describe_verification, verification
from models.tally import CHOICES, Choice, Tally, tally

MATTERS = {
    1: "制定和修改业主大会议事规则",
    2: "制定和修改管理规约",
    3: "选举业主委员会或者更换业主委员会成员",
    4: "选聘和解聘物业服务企业或者其他管理人",
    5: "使用建筑物及其附属设施的维修资金",
    6: "筹集建筑物及其附属设施的维修资金",
    7: "改建、重建建筑物及其附属设施",
    8: "改变共有部分的用途或者利用共有部分从事经营活动",
    9: "有关共有和共同管理权利的其他重大事项",
}
CHOICE_NAMES = {"agree": "同意", "disagree": "反对", "abstain": "弃权"}


class ProposalStatus(StrEnum):
    pending_review = "pending_review"  # raised by a resident, waiting for an admin
    published = "published"  # in discussion or voting, by the clock
    closed = "closed"
    cancelled = "cancelled"


class Proposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    body: str = ""
    matter: int
    scope: dict[str, list[str]] = json_field()
    status: ProposalStatus = enum_field(ProposalStatus, ProposalStatus.pending_review, index=True)
    raised_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    raised_by: str = ""
    votes_open_at: datetime = utc_field()
    votes_close_at: datetime = utc_field(index=True)
    created_at: datetime = utc_field()
    published_at: datetime | None = utc_field(nullable=True)
    closed_at: datetime | None = utc_field(nullable=True)
    result: dict[str, Any] = json_field()

    @property
    def code(self) -> str:
        return f"P{self.id}"

    def phase(self, now: datetime) -> str:
        """pending_review | discussion | voting | counting | closed | cancelled."""
        if self.status != ProposalStatus.published:
            return self.status.value
        if now < self.votes_open_at:
            return "discussion"
        return "voting" if now < self.votes_close_at else "counting"


class Ballot(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("proposal_id", "owner"),)
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    owner: str = Field(max_length=40)  # owner identity, see models.ownership
    choice: str
    channel: str  # chat | paper
    person_id: int | None = Field(default=None, foreign_key="person.id")
    entered_by: str = ""
    cast_at: datetime = utc_field()
    # What stood behind it when cast: the verified residency (how, by whom, when) or the paper
    # ballot's clerk; empty for ballots cast before verification existed.
    verification: dict[str, Any] = json_field()


class ProposalComment(SQLModel, table=True):
    __tablename__ = "proposal_comment"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    text: str
    created_at: datetime = utc_field()


class VoteRefused(ValueError):
    """A ballot that cannot be taken; ``reason`` is a short code the caller words for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CastResult:
    proposal: Proposal
    choice: str
    previous: str | None  # the owner's earlier choice this ballot replaces


def validate_scope(session: Session, scope: dict[str, list[str]] | None) -> dict[str, list[str]]:
    scope = {k: [str(v).upper() for v in vs] for k, vs in (scope or {}).items() if vs}
    if set(scope) - {"buildings", "units"} or len(scope) > 1:
        raise ValueError("scope is {} (everyone), {buildings: [...]} or {units: ['3-2', ...]}")
    if not rooms_in_scope(session, scope):
        raise ValueError(f"no rooms in scope {scope}: check the building and unit numbers")
    return scope


def create_proposal(
    session: Session,
    *,
    title: str,
    body: str,
    matter: int,
    votes_close_at: datetime,
    now: datetime,
    scope: dict[str, list[str]] | None = None,
    votes_open_at: datetime | None = None,
    raised_by: str = "",
    raised_by_person: Person | None = None,
    publish: bool = True,
) -> Proposal:
    if matter not in MATTERS:
        raise ValueError("matter must be 1..9 (民法典第二百七十八条第一款)")
    opens = votes_open_at or now
    if not now <= opens < votes_close_at:
        raise ValueError("need now <= votes_open_at < votes_close_at")
    proposal = Proposal(
        title=title.strip(),
        body=body.strip(),
        matter=matter,
        scope=validate_scope(session, scope),
        raised_by=raised_by,
        raised_by_person_id=raised_by_person.id if raised_by_person else None,
        votes_open_at=opens,
        votes_close_at=votes_close_at,
        created_at=now,
    )
    session.add(proposal)
    session.flush()
    if publish:
        publish_proposal(session, proposal_id=proposal.id, now=now)  # type: ignore[arg-type]
    elif raised_by_person is not None:  # a resident's: the admins review it; the office's waits for 发布
        for admin in session.exec(select(Person).where(Person.role == Role.admin)):
            enqueue(
                session,
                idempotency_key=f"proposal:{proposal.id}:review:{admin.id}",
                person_id=admin.id,
                kind="vote",
                text=f"居民发起了议题 {proposal.code}「{proposal.title}」，请审核后发布。",
                now=now,
            )
    return proposal


def publish_proposal(session: Session, *, proposal_id: int, now: datetime) -> Proposal:
    changed = session.execute(
        update(Proposal)
        .where(col(Proposal.id) == proposal_id, col(Proposal.status) == ProposalStatus.pending_review)
        .values(status=ProposalStatus.published, published_at=now)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise ValueError(f"proposal {proposal_id} is not waiting to be published")
    proposal = session.get(Proposal, proposal_id)
    assert proposal is not None
    session.refresh(proposal)
    buildings, owners = publication_reach(session, proposal)
    text = (
        f"【小区议事】{proposal.code}「{proposal.title}」（{MATTERS[proposal.matter]}）"
        f"投票截止 {_local(proposal.votes_close_at)}。回复「投票 {proposal.code} 同意」（或 反对、弃权）参与表决。"
    )
    for building_id in sorted(b.id for b in buildings):  # type: ignore[type-var]
        enqueue(
            session,
            idempotency_key=f"proposal:{proposal.id}:published:building:{building_id}",
            building_id=building_id,
            kind="vote",
            text=text,
            now=now,
        )
    for owner in owners:
        enqueue(
            session,
            idempotency_key=f"proposal:{proposal.id}:published:person:{owner.id}",
            person_id=owner.id,
            kind="vote",
            text=text,
            now=now,
        )
    return proposal


def publication_reach(session: Session, proposal: Proposal) -> tuple[list[Building], list[Person]]:
    """Whom publishing tells: the group chats of the buildings in scope and the owners living there."""
    rooms = rooms_in_scope(session, proposal.scope)
    buildings = list({b.id: b for b, _ in rooms}.values())
    room_ids = [r.id for _, r in rooms]
    owners = session.exec(
        select(Person).where(col(Person.room_id).in_(room_ids), col(Person.is_owner).is_(True))
    ).all()
    return buildings, list(owners)


def open_proposals(session: Session, *, person: Person, now: datetime) -> list[Proposal]:
    """Published proposals in discussion or voting that concern one of the person's rooms."""
    mine = owned_room_ids(session, person) | ({person.room_id} if person.room_id else set())
    found = []
    for proposal in session.exec(
        select(Proposal).where(Proposal.status == ProposalStatus.published).order_by(col(Proposal.id))
    ):
        if proposal.phase(now) in ("discussion", "voting") and any_room_in_scope(
            session, proposal.scope, mine
        ):
            found.append(proposal)
    return found


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


def add_comment(session: Session, *, proposal: Proposal, person: Person, text: str, now: datetime) -> int:
    """A resident's opinion during discussion or voting; returns how many opinions there are now."""
    if proposal.phase(now) not in ("discussion", "voting"):
        raise VoteRefused(f"not_open:{proposal.phase(now)}")
    session.add(
        ProposalComment(proposal_id=proposal.id, person_id=person.id, text=text.strip()[:500], created_at=now)
    )  # type: ignore[arg-type]
    session.flush()
    return len(
        session.exec(select(ProposalComment.id).where(ProposalComment.proposal_id == proposal.id)).all()
    )


def comments(session: Session, proposal: Proposal) -> list[ProposalComment]:
    query = select(ProposalComment).where(ProposalComment.proposal_id == proposal.id)
    return list(session.exec(query.order_by(col(ProposalComment.id))))


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


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")
