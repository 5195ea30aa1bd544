"""Erasing a person's personal data (个人信息保护法 第四十七条) while the community keeps its records.

The person's row becomes an anonymous tombstone (``erased_at`` set; no openid, WeCom id, name,
phone, home or role left) that the community's records still point at, shown as 「已注销居民」:

Deleted: binding requests, their entry on the care register (and their name and phone as
someone's contact there), conversation state, the inbound message log (what they wrote),
pushes to them not yet sent (the text of those already sent is blanked), muted notice
categories, team memberships, their sign-ups for activities that have not started (the place
passes to the waitlist), pending redemptions (stock returned).

Kept, anonymised:
- tickets and disputes they reported: status, times, category, place (the room's maintenance
  history belongs to the building) and rating scores stay, so every statistic and 三公开 figure
  is unchanged; phone numbers and their name are scrubbed from the free text (description,
  wants, agreement, mediation notes, timeline notes, rating comment) and their photos dropped;
  pushes to staff and group chats that quote them are swept afterwards (``models.scrub``).
  An open ticket stays open: staff work on it and close it as usual; what would have been
  pushed to the reporter is dead-lettered as "erased".
- ballots: they still count, so past and running tallies do not change. A ballot cast as the
  bound owner of one home is re-keyed to that room (``r<room id>``, how the tally names a room
  with no registered owner); an owner of several recorded rooms keeps one anonymous identity
  for all of them (the rooms stay recorded under the tombstone until the office records the new
  owner).
- the points ledger: every row stays (the ledger is append-only); the balance is forfeited by one
  compensating entry and the tombstone leaves the rankings. Attendance, visits made and opinions
  stay as anonymous records.

Erasure is irreversible (nothing is copied aside) and idempotent (a tombstone is left as it is).
A later message from the same openid finds no one and starts as a brand-new resident. Office
roles (staff, grid workers, secretaries, admins) are refused: the office changes their role first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from models.access import Actor, audit
from models.activities import ACTIVE, Activity, Signup, cancel_signup
from models.actors import Someone, self_service
from models.care import forget_person as forget_care
from models.community import Building
from models.conversation import Conversation
from models.inbound import InboundMessage
from models.notices import NoticeMute
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from models.ownership import RoomOwner, set_owner
from models.people import ERASED_LABEL, BindingRequest, Person, Role
from models.personal_data import user_keys
from models.points import PointEntry, PointSource, balance, lock_account, set_ranking_opt_out
from models.proposals import Ballot, Proposal, ProposalComment
from models.residency import OPEN as OPEN_RESIDENCY
from models.residency import Residency, ResidencyStatus
from models.rewards import Redemption, RedemptionStatus, cancel_redemption
from models.scrub import HIDDEN, Scrubber, start_sweep
from models.teams import Team, TeamMember
from models.tickets import OPEN, Rating, Ticket, TicketEvent
from models.unanswered import UnansweredQuestion
from models.visits import VisitRecord, VisitRota

ERASABLE_ROLES = (Role.resident, Role.building_head)


class ErasureRefused(ValueError):
    """This person cannot be erased here; ``reason`` is a short code (``office_role``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ErasureReport:
    person_id: int
    erased_at: datetime
    already: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    follow_ups: list[str] = field(default_factory=list)  # what the office has to arrange now
    sweep_operation_id: int | None = None  # the outbox sweep still to run (models.scrub)

    def as_json(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "erased_at": self.erased_at.isoformat(),
            "already_erased": self.already,
            "counts": self.counts,
            "follow_ups": self.follow_ups,
            "sweep_operation_id": self.sweep_operation_id,
        }


def erase_person(
    session: Session, *, person: Person, now: datetime, by: Actor | Someone | None = None
) -> ErasureReport:
    """Erase ``person``'s personal data in the caller's transaction; ``by`` (default: the person
    themself) goes to the audit log.

    The caller holds the person's conversation lock (``bot.db.lock_keys`` on ``mp:<openid>``:
    the chat pipeline does, the API and the CLI take it first), so no message of theirs being
    handled at the same moment can add a record after the erasure.
    """
    assert person.id is not None
    if person.erased_at is not None:
        return ErasureReport(person.id, person.erased_at, already=True)
    if person.role not in ERASABLE_ROLES:
        raise ErasureRefused("office_role")
    scrub = Scrubber(
        phones=tuple(p for p in {person.phone} if len(p) >= 5),
        names=tuple(n for n in {person.name} if len(n) >= 2),
    )
    report = ErasureReport(person.id, now)
    counts = report.counts
    counts["residencies_ended"] = _residencies(session, person, now)
    counts["ballots_rekeyed"] = _keep_votes(session, person)
    codes = _tickets(session, person, scrub)
    counts["tickets"] = len(codes)
    # Pushes to staff quoting them: swept afterwards, in chunks (see models.scrub).
    report.sweep_operation_id = start_sweep(
        session, person_id=person.id, scrub=Scrubber(scrub.phones, scrub.names, tuple(codes)), now=now
    )
    counts.update(_activities(session, person, now, report.follow_ups))
    counts.update(_points(session, person, now))
    counts["visits"] = _visits(session, person, report.follow_ups)
    counts.update(_forget(session, person, scrub))
    report.follow_ups.extend(_duties(session, person))
    _tombstone(person, now)
    session.add(person)
    audit(
        session,
        actor=by or self_service(person.id),
        action="person.erase",
        now=now,
        target=f"person:{person.id}",
        counts=counts,
        follow_ups=report.follow_ups,
    )
    session.flush()
    return report


def tell_office(session: Session, *, report: ErasureReport, now: datetime) -> int:
    """Push what the office has to arrange after an erasure (a new building head, a visit rota
    without volunteer, ...) to the admins; returns how many were told."""
    if not report.follow_ups:
        return 0
    text = "一位居民注销了个人信息，以下事项需要安排：" + "；".join(report.follow_ups) + "。"
    admins = session.exec(select(Person.id).where(Person.role == Role.admin).order_by(col(Person.id))).all()
    for admin in admins:
        enqueue(
            session,
            idempotency_key=f"erasure:{report.person_id}:admin:{admin}",
            person_id=admin,
            kind="privacy",
            text=text[:1000],
            now=now,
        )
    return len(admins)


def _tombstone(person: Person, now: datetime) -> None:
    person.openid = person.wecom_userid = None
    person.name = person.phone = ""
    person.role = Role.resident
    person.room_id, person.is_owner, person.building_id, person.grid_id = None, False, None, None
    person.skills, person.subscribed, person.last_seen_at = [], False, None
    person.erased_at = now


def _residencies(session: Session, person: Person, now: datetime) -> int:
    """Every residency ends; flats verified as theirs besides the home become the office's
    ownership record first, so the ballots cast for them keep counting (the home: ``_keep_votes``)."""
    found = session.exec(
        select(Residency).where(Residency.person_id == person.id, col(Residency.status).in_(OPEN_RESIDENCY))
    ).all()
    for residency in found:
        second_flat = (
            residency.room_id != person.room_id and session.get(RoomOwner, residency.room_id) is None
        )
        if second_flat and residency.status == "verified" and residency.relationship == "owner":
            set_owner(session, room_id=residency.room_id, person_id=person.id)
        residency.status, residency.ended_at, residency.note = ResidencyStatus.ended, now, "已注销"
        session.add(residency)
    session.flush()
    return len(found)


def _keep_votes(session: Session, person: Person) -> int:
    """Keep every ballot counting for the same rooms once the person is no longer bound (see above)."""
    home = person.room_id if person.is_owner else None
    recorded = set(session.exec(select(RoomOwner.room_id).where(RoomOwner.person_id == person.id)))
    if home is None or home in recorded or session.get(RoomOwner, home) is not None:
        return 0  # no bound home, or its votes are decided by the office's record, not the binding
    if recorded:  # one owner of several rooms: their identity must keep covering this one too
        set_owner(session, room_id=home, person_id=person.id)
        return 0
    mine, room = f"p{person.id}", f"r{home}"
    voted = select(Ballot.proposal_id).where(Ballot.owner == mine)
    # A room ballot from before the binding did not count while they owned the room: it goes.
    session.execute(delete(Ballot).where(col(Ballot.owner) == room, col(Ballot.proposal_id).in_(voted)))
    result = session.execute(update(Ballot).where(col(Ballot.owner) == mine).values(owner=room))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _duties(session: Session, person: Person) -> list[str]:
    """What a building head leaves behind: their building, and open work assigned to them."""
    found = []
    if person.role == Role.building_head and person.building_id is not None:
        building = session.get(Building, person.building_id)
        found.append(f"{building.label if building else '楼栋'}需要另行指定楼长")
    for ticket in session.exec(
        select(Ticket)
        .where(Ticket.assignee_id == person.id, col(Ticket.status).in_(OPEN))
        .order_by(col(Ticket.id))
    ):
        found.append(f"{ticket.code} 需要重新指派处理人")
    return found


def _tickets(session: Session, person: Person, scrub: Scrubber) -> list[str]:
    """Their tickets' free text scrubbed; returns the tickets' codes."""
    tickets = list(session.exec(select(Ticket).where(Ticket.reporter_id == person.id)))
    for ticket in tickets:
        ticket.description = scrub.own(ticket.description)
        ticket.preferred_time = scrub.own(ticket.preferred_time)
        ticket.wants, ticket.agreement = scrub.own(ticket.wants), scrub.own(ticket.agreement)
        ticket.resolution = scrub.own(ticket.resolution)
        ticket.mediation_record = [
            {**entry, "text": scrub.own(str(entry.get("text", "")))} for entry in ticket.mediation_record
        ]
        ticket.photos = []
        session.add(ticket)
    ids = {t.id for t in tickets}
    for event in session.exec(
        select(TicketEvent).where(
            or_(col(TicketEvent.ticket_id).in_(ids), col(TicketEvent.actor_id) == person.id)
        )
    ):
        # Their own case loses every number; notes they wrote on others' cases only their own.
        event.note = scrub.own(event.note) if event.ticket_id in ids else scrub.others(event.note)
        session.add(event)
    if scrub.names:  # mediation notes a building head wrote on others' disputes carry their name
        for ticket in session.exec(
            select(Ticket).where(
                or_(col(Ticket.assignee_id) == person.id, col(Ticket.resolved_by_id) == person.id)
            )
        ):
            if ticket.id in ids:
                continue
            ticket.mediation_record = [
                {**e, "by": ERASED_LABEL if e.get("by") in scrub.names else e.get("by")}
                for e in ticket.mediation_record
            ]
            session.add(ticket)
    for rating in session.exec(select(Rating).where(Rating.person_id == person.id)):
        rating.comment = scrub.own(rating.comment)
        session.add(rating)
    return [t.code for t in tickets]


def _activities(session: Session, person: Person, now: datetime, follow_ups: list[str]) -> dict[str, int]:
    upcoming = session.exec(
        select(Signup.activity_id)
        .join(Activity, col(Activity.id) == Signup.activity_id)
        .where(Signup.person_id == person.id, col(Signup.status).in_(ACTIVE), col(Activity.starts_at) > now)
    ).all()
    for activity_id in upcoming:
        cancel_signup(session, activity_id=activity_id, person=person, now=now)
    for team in session.exec(select(Team).where(Team.leader_id == person.id)):
        team.leader_id = None
        session.add(team)
        follow_ups.append(f"志愿队「{team.name}」需要新的队长")
    left = session.execute(delete(TeamMember).where(col(TeamMember.person_id) == person.id))
    return {"signups_cancelled": len(upcoming), "teams_left": int(left.rowcount or 0)}  # type: ignore[attr-defined]


def _points(session: Session, person: Person, now: datetime) -> dict[str, int]:
    """Pending redemptions are cancelled (stock back, points refunded), then the balance is forfeited."""
    pending = session.exec(
        select(Redemption.id).where(
            Redemption.person_id == person.id, Redemption.status == RedemptionStatus.pending
        )
    ).all()
    for order_id in pending:
        cancel_redemption(session, redemption_id=order_id, now=now, by="erasure")  # type: ignore[arg-type]
    assert person.id is not None
    lock_account(session, person_id=person.id)
    left = balance(session, person_id=person.id)
    if left > 0:
        session.add(
            PointEntry(
                person_id=person.id,
                amount=-left,
                reason="居民注销个人信息，积分余额作废",
                source=PointSource.admin,
                operator="system",
                idempotency_key=f"erasure:{person.id}:forfeit",
                created_at=now,
            )
        )
    if person.openid:
        session.execute(
            update(PointEntry).where(col(PointEntry.operator) == person.openid).values(operator=ERASED_LABEL)
        )
    set_ranking_opt_out(session, person_id=person.id, opt_out=True)
    return {"redemptions_cancelled": len(pending), "points_forfeited": max(left, 0)}


def _visits(session: Session, person: Person, follow_ups: list[str]) -> int:
    """As the elder visited: the rota stops and the volunteers' notes about them go. As a volunteer:
    their rotas stop and the office is told to find someone else; visits made stay, anonymous."""
    changed = 0
    for rota in session.exec(
        select(VisitRota).where(
            or_(col(VisitRota.elder_id) == person.id, col(VisitRota.volunteer_id) == person.id),
            col(VisitRota.active).is_(True),
        )
    ):
        rota.active, changed = False, changed + 1
        session.add(rota)
        if rota.volunteer_id == person.id and rota.elder_id != person.id:
            elder = session.get(Person, rota.elder_id)
            follow_ups.append(f"走访排班 #{rota.id}（{elder.name if elder else '老人'}）需要另派志愿者")
    session.execute(update(VisitRecord).where(col(VisitRecord.elder_id) == person.id).values(note=""))
    return changed


def _forget(session: Session, person: Person, scrub: Scrubber) -> dict[str, int]:
    """What is theirs alone: deleted, or blanked where a row must stay."""
    pid = person.id
    counts = {
        "binding_requests": _delete(session, BindingRequest, col(BindingRequest.person_id) == pid),
        "notice_mutes": _delete(session, NoticeMute, col(NoticeMute.person_id) == pid),
        "care_entries": forget_care(session, person_id=pid),  # type: ignore[arg-type]
        "conversations": _delete(session, Conversation, col(Conversation.user_key).in_(user_keys(person))),
        # Pushes not sent yet (or dead) go; a row being sent right now is left to its worker.
        "pushes_dropped": _delete(
            session,
            OutboxMessage,
            col(OutboxMessage.person_id) == pid,
            col(OutboxMessage.status).in_([OutboxStatus.pending, OutboxStatus.dead]),
        ),
    }
    session.execute(
        update(OutboxMessage).where(col(OutboxMessage.person_id) == pid).values(text="", payload={})
    )
    ids = [i for i in (person.openid, person.wecom_userid) if i]
    counts["messages"] = _delete(session, InboundMessage, col(InboundMessage.user_id).in_(ids)) if ids else 0
    for comment in session.exec(select(ProposalComment).where(ProposalComment.person_id == pid)):
        comment.text = scrub.own(comment.text)
        session.add(comment)
    session.execute(
        update(Proposal).where(col(Proposal.raised_by_person_id) == pid).values(raised_by=ERASED_LABEL)
    )
    for phone in scrub.phones:
        for question in session.exec(
            select(UnansweredQuestion).where(col(UnansweredQuestion.key).contains(phone, autoescape=True))
        ):
            try:
                with session.begin_nested():
                    question.text = question.text.replace(phone, HIDDEN)
                    question.key = question.key.replace(phone, HIDDEN)
                    session.add(question)
            except IntegrityError:  # the same question without the number is already kept
                session.execute(delete(UnansweredQuestion).where(col(UnansweredQuestion.id) == question.id))
    return counts


def _delete(session: Session, table: type[Any], *where: Any) -> int:
    result = session.execute(delete(table).where(*where))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
