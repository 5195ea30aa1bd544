"""A person's own data, gathered for them (个人信息保护法 第四十五条: access and a copy).

``export_person`` collects everything the service holds about one person: profile and home,
binding requests, the tickets they reported (with their timeline and rating), ballots and
opinions, sign-ups, points and redemptions, elder visits, what they wrote to the bot and what it
pushed to them. Staff appear in it only by role (「工作人员」), never by name: the export is
the resident's data, not their neighbours' or the office's. Erasure is in ``models.erasure``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, or_, select

from models.activities import Activity, Signup
from models.community import Building, Room, room_label
from models.conversation import load_state
from models.dispatch import KIND_LABEL
from models.inbound import InboundMessage
from models.notices import NoticeMute
from models.outbox import OutboxMessage
from models.ownership import RoomOwner
from models.people import BindingRequest, Person, home_label
from models.points import PointAccount, PointEntry, balance
from models.proposals import CHOICE_NAMES, Ballot, Proposal, ProposalComment
from models.residency import RELATIONSHIP_NAMES, Residency, room_of
from models.residents import Householder
from models.rewards import STATUS_NAMES, Redemption, Reward
from models.teams import Team, TeamMember
from models.tickets import ACTION_LABEL, STATUS_LABEL, Rating, Ticket, TicketEvent, TicketKind, TicketStatus
from models.visits import VisitRecord, VisitRota

MAX_MESSAGES = 5000  # newest first; the count of all is given too
MAX_PUSHES = 2000
ROLE_NAMES = {
    "resident": "居民",
    "building_head": "楼长",
    "grid_worker": "网格员",
    "staff": "物业工作人员",
    "secretary": "社区书记",
    "admin": "社区管理员",
}


SIGNUPS = {"confirmed": "已报名", "waitlisted": "候补", "cancelled": "已取消", "attended": "已参加"}
BINDINGS = {"pending": "审核中", "approved": "已通过", "rejected": "未通过"}
SOURCES = {"activity": "活动", "task": "走访", "redemption": "兑换", "admin": "社区调整"}
PUSHES = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "dead": "未送达"}


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def user_keys(person: Person) -> list[str]:
    """The conversation keys (``channel:user_id``) this person may have."""
    keys = [f"{channel}:{person.openid}" for channel in ("mp", "console")] if person.openid else []
    return keys + ([f"wecom:{person.wecom_userid}"] if person.wecom_userid else [])


def _inbound_filter(person: Person) -> Any:
    ids = [i for i in (person.openid, person.wecom_userid) if i]
    return col(InboundMessage.user_id).in_(ids) if ids else None


def _profile(session: Session, person: Person) -> dict[str, Any]:
    return {
        "openid": person.openid,
        "wecom_userid": person.wecom_userid,
        "name": person.name,
        "phone": person.phone,
        "role": ROLE_NAMES.get(person.role.value, person.role.value),
        "home": home_label(session, person),
        "is_owner": person.is_owner,
        "subscribed": person.subscribed,
        "registered_at": _at(person.created_at),
        "last_seen_at": _at(person.last_seen_at),
    }


def _rooms(session: Session, person: Person) -> list[str]:
    """Rooms recorded as theirs for votes (beside the home they are bound to)."""
    rows = session.exec(
        select(Building, Room)
        .join(Room, col(Room.building_id) == Building.id)
        .join(RoomOwner, col(RoomOwner.room_id) == Room.id)
        .where(RoomOwner.person_id == person.id)
    )
    return [room_label(building, room) for building, room in rows]


def _roster(session: Session, person: Person) -> list[dict[str, Any]]:
    """The office's householder register lines that carry their phone number."""
    if not person.phone:
        return []
    rows = session.exec(
        select(Householder, Room, Building)
        .join(Room, col(Room.id) == Householder.room_id)
        .join(Building, col(Building.id) == Room.building_id)
        .where(Householder.phone == person.phone)
    )
    return [{"room": room_label(b, r), "name": h.name, "phone": h.phone} for h, r, b in rows]


def _bindings(session: Session, person: Person) -> list[dict[str, Any]]:
    requests = session.exec(select(BindingRequest).where(BindingRequest.person_id == person.id))
    return [
        {
            "id": r.id,
            "address": f"{r.building}-{r.unit}-{r.room}" if r.unit else f"{r.building}-{r.room}",
            "reason": r.reason,
            "status": BINDINGS.get(r.status.value, r.status.value),
            "created_at": _at(r.created_at),
            "decided_at": _at(r.decided_at),
            "note": r.note,
        }
        for r in requests
    ]


def _residencies(session: Session, person: Person) -> list[dict[str, Any]]:
    """Their claims on flats and how each was verified (or refused, or ended)."""
    found = session.exec(
        select(Residency).where(Residency.person_id == person.id).order_by(col(Residency.id))
    )
    return [
        {
            "code": r.code,
            "room": room_of(session, r.room_id)[2],
            "relationship": RELATIONSHIP_NAMES[r.relationship],
            "status": r.status.value,
            "verified_by": r.verified_by,
            "claimed_at": _at(r.claimed_at),
            "verified_at": _at(r.verified_at),
            "ended_at": _at(r.ended_at),
            "note": r.note,
        }
        for r in found
    ]


def _tickets(session: Session, person: Person) -> list[dict[str, Any]]:
    tickets = list(
        session.exec(select(Ticket).where(Ticket.reporter_id == person.id).order_by(col(Ticket.id)))
    )
    ids = [t.id for t in tickets]
    events: dict[int, list[dict[str, Any]]] = {}
    for event in session.exec(
        select(TicketEvent).where(col(TicketEvent.ticket_id).in_(ids)).order_by(col(TicketEvent.id))
    ):
        events.setdefault(event.ticket_id, []).append(
            {
                "action": ACTION_LABEL.get(event.action, event.action),
                "from": _status(event.from_status),
                "to": _status(event.to_status),
                "by": _by(event, person),
                "note": event.note,
                "at": _at(event.at),
            }
        )
    ratings = {r.ticket_id: r for r in session.exec(select(Rating).where(col(Rating.ticket_id).in_(ids)))}
    return [
        {
            "code": t.code,
            "kind": KIND_LABEL[t.kind],
            "status": STATUS_LABEL[t.status],
            "category": t.category,
            "place": t.place,
            "description": t.description,
            "preferred_time": t.preferred_time,
            "photos": len(t.photos),
            "other_party": t.other_party,
            "wants": t.wants,
            "agreement": t.agreement,
            "outcome": t.outcome,
            "resolution": t.resolution,
            "created_at": _at(t.created_at),
            "resolved_at": _at(t.resolved_at),
            "closed_at": _at(t.closed_at),
            "timeline": events.get(t.id, []),  # type: ignore[arg-type]
            "rating": _rating(ratings.get(t.id)),  # type: ignore[arg-type]
        }
        for t in tickets
    ]


def _status(value: str) -> str:
    return STATUS_LABEL[TicketStatus(value)] if value in TicketStatus.__members__ else value


def _by(event: TicketEvent, person: Person) -> str:
    """Who acted, by role only: the person themself, 工作人员 (no staff names), or 系统."""
    if event.actor_id == person.id:
        return "本人"
    if event.actor_id is not None:
        return "工作人员"
    return "系统" if not event.actor_label or event.actor_label.startswith("系统") else "工作人员"


def _rating(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {
        "overall": rating.overall,
        "speed": rating.speed,
        "service": rating.service,
        "comment": rating.comment,
        "at": _at(rating.created_at),
    }


def _ballots(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Ballot, Proposal)
        .join(Proposal, col(Proposal.id) == Ballot.proposal_id)
        .where(or_(col(Ballot.person_id) == person.id, col(Ballot.owner) == f"p{person.id}"))
        .order_by(col(Ballot.id))
    )
    return [
        {
            "proposal": f"{p.code}「{p.title}」",
            "choice": CHOICE_NAMES.get(b.choice, b.choice),
            "channel": "微信" if b.channel == "chat" else "纸质票",
            "cast_at": _at(b.cast_at),
        }
        for b, p in rows
    ]


def _opinions(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.exec(
        select(ProposalComment, Proposal)
        .join(Proposal, col(Proposal.id) == ProposalComment.proposal_id)
        .where(ProposalComment.person_id == person.id)
        .order_by(col(ProposalComment.id))
    )
    raised = session.exec(select(Proposal).where(Proposal.raised_by_person_id == person.id))
    return [
        {"proposal": f"{p.code}「{p.title}」", "text": c.text, "at": _at(c.created_at)} for c, p in rows
    ] + [
        {"proposal": f"{p.code}「{p.title}」", "text": "（本人发起）", "at": _at(p.created_at)}
        for p in raised
    ]


def _signups(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Signup, Activity)
        .join(Activity, col(Activity.id) == Signup.activity_id)
        .where(Signup.person_id == person.id)
        .order_by(col(Activity.starts_at))
    )
    return [
        {
            "activity": a.title,
            "starts_at": _at(a.starts_at),
            "place": a.place,
            "status": SIGNUPS.get(s.status.value, s.status.value),
            "attended_at": _at(s.attended_at),
        }
        for s, a in rows
    ]


def _points(session: Session, person: Person) -> dict[str, Any]:
    entries = session.exec(
        select(PointEntry).where(PointEntry.person_id == person.id).order_by(col(PointEntry.id))
    )
    account = session.get(PointAccount, person.id)
    return {
        "balance": balance(session, person_id=person.id),  # type: ignore[arg-type]
        "ranking_opt_out": bool(account and account.ranking_opt_out),
        "entries": [
            {
                "amount": e.amount,
                "reason": e.reason,
                "source": SOURCES.get(e.source.value, e.source.value),
                "at": _at(e.created_at),
            }
            for e in entries
        ],
    }


def _redemptions(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Redemption, Reward)
        .join(Reward, col(Reward.id) == Redemption.reward_id)
        .where(Redemption.person_id == person.id)
        .order_by(col(Redemption.id))
    )
    return [
        {
            "reward": w.name,
            "cost": r.cost,
            "status": STATUS_NAMES[r.status],
            "pickup_code": r.pickup_code,
            "created_at": _at(r.created_at),
            "closed_at": _at(r.closed_at),
        }
        for r, w in rows
    ]


def _visits(session: Session, person: Person) -> dict[str, Any]:
    received = session.exec(
        select(VisitRecord).where(VisitRecord.elder_id == person.id).order_by(col(VisitRecord.id))
    )
    made = session.exec(select(VisitRecord.visited_at).where(VisitRecord.volunteer_id == person.id))
    rotas = session.exec(
        select(VisitRota).where(
            or_(col(VisitRota.elder_id) == person.id, col(VisitRota.volunteer_id) == person.id)
        )
    )
    return {
        "received": [
            {"at": _at(v.visited_at), "note": v.note, "concern": v.concern, "outcome": v.outcome}
            for v in received
        ],
        "made": [_at(at) for at in made],
        "rotas": [
            {
                "as": "被走访老人" if r.elder_id == person.id else "走访志愿者",
                "every_days": r.every_days,
                "active": r.active,
            }
            for r in rotas
        ],
    }


def _messages(session: Session, person: Person) -> dict[str, Any]:
    where = _inbound_filter(person)
    if where is None:
        return {"total": 0, "items": []}
    rows = list(
        session.exec(
            select(InboundMessage.received_at, InboundMessage.msg_type, InboundMessage.text)
            .where(where)
            .order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id).desc())
            .limit(MAX_MESSAGES + 1)
        )
    )
    total = (
        len(rows)
        if len(rows) <= MAX_MESSAGES
        else len(session.exec(select(InboundMessage.id).where(where)).all())
    )
    return {
        "total": total,
        "items": [{"at": _at(at), "type": kind, "text": text} for at, kind, text in rows[:MAX_MESSAGES]],
    }


def _pushes(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.person_id == person.id)
        .order_by(col(OutboxMessage.id).desc())
        .limit(MAX_PUSHES)
    )
    return [
        {
            "at": _at(m.created_at),
            "kind": m.kind,
            "status": PUSHES.get(m.status.value, m.status.value),
            "text": m.text,
        }
        for m in rows
    ]


def export_person(session: Session, person: Person, *, now: datetime) -> dict[str, Any]:
    """Everything held about ``person``, as plain JSON-ready data."""
    state = [load_state(session, user_key=key) for key in user_keys(person)]
    teams = session.exec(
        select(Team.name)
        .join(TeamMember, col(TeamMember.team_id) == Team.id)
        .where(TeamMember.person_id == person.id)
    )
    mutes = session.exec(select(NoticeMute.category).where(NoticeMute.person_id == person.id))
    return {
        "generated_at": now.isoformat(),
        "profile": _profile(session, person),
        "recorded_rooms": _rooms(session, person),
        "roster": _roster(session, person),
        "binding_requests": _bindings(session, person),
        "residencies": _residencies(session, person),
        "tickets": _tickets(session, person),
        "ballots": _ballots(session, person),
        "opinions": _opinions(session, person),
        "signups": _signups(session, person),
        "teams": list(teams),
        "points": _points(session, person),
        "redemptions": _redemptions(session, person),
        "visits": _visits(session, person),
        "muted_notices": list(mutes),
        "open_conversation": [
            {"form": s.form, "slots": s.slots, "paused": s.paused.get("form")} for s in state if s.kept
        ],
        "messages": _messages(session, person),
        "pushes": _pushes(session, person),
    }


def counts(session: Session, person: Person) -> dict[str, int]:
    """The figures of ``summary`` straight from the database (for the chat, without the export)."""

    def number(table: Any, *where: Any) -> int:
        return int(session.exec(select(func.count()).select_from(table).where(*where)).one())

    pid = person.id
    where = _inbound_filter(person)
    return {
        "tickets": number(Ticket, col(Ticket.reporter_id) == pid),
        "disputes": number(Ticket, col(Ticket.reporter_id) == pid, col(Ticket.kind) == TicketKind.dispute),
        "ballots": number(Ballot, or_(col(Ballot.person_id) == pid, col(Ballot.owner) == f"p{pid}")),
        "signups": number(Signup, col(Signup.person_id) == pid),
        "points": balance(session, person_id=pid),  # type: ignore[arg-type]
        "redemptions": number(Redemption, col(Redemption.person_id) == pid),
        "messages": number(InboundMessage, where) if where is not None else 0,
    }


def summary(export: dict[str, Any]) -> dict[str, int]:
    """How many of each kind of record an export holds (for the chat reply and the API)."""
    tickets = export["tickets"]
    return {
        "tickets": len(tickets),
        "disputes": sum(1 for t in tickets if t["kind"] == KIND_LABEL[TicketKind.dispute]),
        "ballots": len(export["ballots"]),
        "signups": len(export["signups"]),
        "points": export["points"]["balance"],
        "redemptions": len(export["redemptions"]),
        "messages": export["messages"]["total"],
    }
