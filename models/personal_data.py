"""A person's own data, gathered for them (个人信息保护法 第四十五条: access and a copy).

``export_person`` collects everything the service holds about one person: profile and home,
binding requests, the tickets they reported (with their timeline and rating), ballots and
opinions, sign-ups, points and redemptions, elder visits, the care register entries they are on
(as the person or as the contact), what they wrote to the bot and what it
pushed to them. Staff appear in it only by role (「工作人员」), never by name: the export is
the resident's data, not their neighbours' or the office's. The parts are gathered by concept in
``models.personal_home``, ``models.personal_tickets`` (with the answers to 「化解了吗」) and
``models.personal_participation``; erasure is in ``models.erasure``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, or_, select

from models.activities import Signup
from models.care import CareRecipient
from models.care import public as care_entry
from models.conversation import load_state
from models.dispatch import KIND_LABEL
from models.inbound import InboundMessage
from models.notices import NoticeMute
from models.outbox import OutboxMessage
from models.people import Person
from models.personal_home import binding_requests, iso, profile, recorded_rooms, residencies, roster
from models.personal_participation import ballots, opinions, points, redemptions, signups, visits
from models.personal_tickets import mediation_answers, tickets
from models.points import balance
from models.proposals import Ballot
from models.rewards import Redemption
from models.teams import Team, TeamMember
from models.tickets import Ticket, TicketKind

MAX_MESSAGES = 5000  # newest first; the count of all is given too
MAX_PUSHES = 2000
PUSHES = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "dead": "未送达"}


def user_keys(person: Person) -> list[str]:
    """The conversation keys (``channel:user_id``) this person may have."""
    keys = [f"{channel}:{person.openid}" for channel in ("mp", "console")] if person.openid else []
    return keys + ([f"wecom:{person.wecom_userid}"] if person.wecom_userid else [])


def _inbound_filter(person: Person) -> Any:
    ids = [i for i in (person.openid, person.wecom_userid) if i]
    return col(InboundMessage.user_id).in_(ids) if ids else None


def messages(session: Session, person: Person) -> dict[str, Any]:
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
        "items": [{"at": iso(at), "type": kind, "text": text} for at, kind, text in rows[:MAX_MESSAGES]],
    }


def pushes(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.person_id == person.id)
        .order_by(col(OutboxMessage.id).desc())
        .limit(MAX_PUSHES)
    )
    return [
        {
            "at": iso(m.created_at),
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
        "profile": profile(session, person),
        "recorded_rooms": recorded_rooms(session, person),
        "roster": roster(session, person),
        "binding_requests": binding_requests(session, person),
        "residencies": residencies(session, person),
        "tickets": tickets(session, person),
        "mediation_answers": mediation_answers(session, person),
        "ballots": ballots(session, person),
        "opinions": opinions(session, person),
        "signups": signups(session, person),
        "teams": list(teams),
        "points": points(session, person),
        "redemptions": redemptions(session, person),
        "visits": visits(session, person),
        "muted_notices": list(mutes),
        "care_register": [
            care_entry(session, entry)
            for entry in session.exec(
                select(CareRecipient)
                .where(
                    or_(CareRecipient.person_id == person.id, CareRecipient.contact_person_id == person.id)
                )
                .order_by(col(CareRecipient.id))
            )
        ],
        "open_conversation": [
            {"form": s.form, "slots": s.slots, "paused": s.paused.get("form"), "choice": s.choice.get("kind")}
            for s in state
            if s.kept
        ],
        "messages": messages(session, person),
        "pushes": pushes(session, person),
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
