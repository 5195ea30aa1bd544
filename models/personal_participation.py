"""A person's own data, part three: what they took part in (ballots and opinions, sign-ups,
points and redemptions, elder visits). See ``models.personal_data`` for the whole export."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, or_, select

from models.activities import Activity, Signup
from models.people import Person
from models.personal_home import iso
from models.points import PointAccount, PointEntry, balance
from models.proposals import CHOICE_NAMES, Ballot, Proposal, ProposalComment
from models.rewards import STATUS_NAMES, Redemption, Reward
from models.visits import VisitRecord, VisitRota

SIGNUPS = {"confirmed": "已报名", "waitlisted": "候补", "cancelled": "已取消", "attended": "已参加"}
SOURCES = {"activity": "活动", "task": "走访", "redemption": "兑换", "admin": "社区调整"}


def ballots(session: Session, person: Person) -> list[dict[str, Any]]:
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
            "cast_at": iso(b.cast_at),
        }
        for b, p in rows
    ]


def opinions(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.exec(
        select(ProposalComment, Proposal)
        .join(Proposal, col(Proposal.id) == ProposalComment.proposal_id)
        .where(ProposalComment.person_id == person.id)
        .order_by(col(ProposalComment.id))
    )
    raised = session.exec(select(Proposal).where(Proposal.raised_by_person_id == person.id))
    return [
        {"proposal": f"{p.code}「{p.title}」", "text": c.text, "at": iso(c.created_at)} for c, p in rows
    ] + [
        {"proposal": f"{p.code}「{p.title}」", "text": "（本人发起）", "at": iso(p.created_at)}
        for p in raised
    ]


def signups(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Signup, Activity)
        .join(Activity, col(Activity.id) == Signup.activity_id)
        .where(Signup.person_id == person.id)
        .order_by(col(Activity.starts_at))
    )
    return [
        {
            "activity": a.title,
            "starts_at": iso(a.starts_at),
            "place": a.place,
            "status": SIGNUPS.get(s.status.value, s.status.value),
            "attended_at": iso(s.attended_at),
        }
        for s, a in rows
    ]


def points(session: Session, person: Person) -> dict[str, Any]:
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
                "at": iso(e.created_at),
            }
            for e in entries
        ],
    }


def redemptions(session: Session, person: Person) -> list[dict[str, Any]]:
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
            "created_at": iso(r.created_at),
            "closed_at": iso(r.closed_at),
        }
        for r, w in rows
    ]


def visits(session: Session, person: Person) -> dict[str, Any]:
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
            {"at": iso(v.visited_at), "note": v.note, "concern": v.concern, "outcome": v.outcome}
            for v in received
        ],
        "made": [iso(at) for at in made],
        "rotas": [
            {
                "as": "被走访老人" if r.elder_id == person.id else "走访志愿者",
                "every_days": r.every_days,
                "active": r.active,
            }
            for r in rotas
        ],
    }
