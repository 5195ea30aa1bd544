"""What the reporter does with a ticket: urge (催单), cancel, rate, say whether it is fixed, reopen,
tell more right after filing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.dispatch import Outcome
from models.outbox import enqueue
from models.people import Person
from models.sla import TicketRules, deadlines
from models.tickets import OPEN, Rating, Ticket, TicketKind, TicketStatus, clip, record, transition
from models.workers import building_heads

TOLD_MORE = timedelta(minutes=10)  # what is told this soon after filing is more of the same report

TEXTS = {
    "detail": "【补充】{code}（{place}）居民补充：{words}",
    "urged": "【催单】居民催促 {code}（{place}，{what}），请尽快处理并联系居民。",
    "cancelled": "{code}（{place}）已被居民取消，无需再处理。",
    "reopened": "【返修】{code}（{place}，{what}）居民反馈没有解决：{note}。请重新处理。",
    "rated": "{code} 收到居民评价：总体 {overall} 分，速度 {speed} 分，态度 {service} 分。{comment}",
}
CANCELLABLE = (TicketStatus.submitted, TicketStatus.dispatched, TicketStatus.accepted, TicketStatus.reopened)


def _facts(ticket: Ticket) -> dict[str, str]:
    return {
        "code": ticket.code,
        "place": ticket.place or "未注明地点",
        "what": ticket.category or clip(ticket.description, 20),
    }


def _tell_handler(session: Session, ticket: Ticket, key: str, text: str, now: datetime) -> None:
    people = [session.get(Person, ticket.assignee_id)] if ticket.assignee_id else []
    targets = [p for p in people if p] or building_heads(session, building_id=ticket.building_id)
    for person in targets:
        enqueue(
            session,
            idempotency_key=f"{key}:{person.id}",
            person_id=person.id,
            kind="ticket",
            text=text,
            now=now,
        )


def urge(session: Session, *, ticket: Ticket, rules: TicketRules, now: datetime) -> Outcome:
    """催单, at most once per ``urge_cooldown_hours``; the handler (or building head) is pushed."""
    if ticket.status not in OPEN:
        return Outcome(False, "wrong_status", ticket)
    since = now - timedelta(hours=rules.urge_cooldown_hours)
    result = session.execute(
        update(Ticket)
        .where(
            col(Ticket.id) == ticket.id,
            (col(Ticket.last_urged_at).is_(None)) | (col(Ticket.last_urged_at) <= since),
        )
        .values(last_urged_at=now, urge_count=Ticket.urge_count + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(ticket)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return Outcome(False, "cooldown", ticket)
    record(session, ticket=ticket, action="urge", actor_id=ticket.reporter_id, now=now)
    _tell_handler(
        session,
        ticket,
        f"ticket:{ticket.id}:urge:{now.isoformat()}",
        TEXTS["urged"].format(**_facts(ticket)),
        now,
    )
    return Outcome(True, ticket=ticket)


def add_detail(session: Session, *, ticket: Ticket, words: str, now: datetime) -> None:
    """What the reporter tells right after filing (「接电话的是个小姑娘，师傅姓李」) joins the ticket:
    its description, its history, and the one handling it (or the building head) hears it."""
    ticket.description = (ticket.description + "；" + words)[:2000]
    session.add(ticket)
    record(session, ticket=ticket, action="detail", actor_id=ticket.reporter_id, now=now, note=words[:500])
    text = TEXTS["detail"].format(**_facts(ticket), words=words[:200])
    _tell_handler(session, ticket, f"ticket:{ticket.id}:detail:{now.isoformat()}", text, now)


def just_filed(session: Session, *, reporter_id: int, now: datetime) -> Ticket | None:
    """The reporter's own report (no emergency) filed within ``TOLD_MORE`` and still open, if any."""
    query = (
        select(Ticket)
        .where(
            Ticket.reporter_id == reporter_id,
            Ticket.kind != TicketKind.emergency,
            col(Ticket.status).in_(OPEN),
            col(Ticket.created_at) >= now - TOLD_MORE,
        )
        .order_by(col(Ticket.id).desc())
    )
    return session.exec(query).first()


def cancel(
    session: Session,
    *,
    ticket: Ticket,
    actor_id: int | None,
    now: datetime,
    note: str = "",
    actor_label: str = "",
) -> Outcome:
    won = transition(
        session,
        ticket=ticket,
        action="cancel",
        to=TicketStatus.cancelled,
        expected=CANCELLABLE,
        actor_id=actor_id,
        actor_label=actor_label,
        now=now,
        note=note,
        closed_at=now,
    )
    if not won:
        return Outcome(False, "wrong_status", ticket)
    if ticket.assignee_id:
        _tell_handler(
            session, ticket, f"ticket:{ticket.id}:cancelled", TEXTS["cancelled"].format(**_facts(ticket)), now
        )
    return Outcome(True, ticket=ticket)


def awaiting_feedback(
    session: Session, *, reporter_id: int, rules: TicketRules, now: datetime
) -> Ticket | None:
    """The reporter's most recent resolved (or recently closed, unrated) ticket: what 「5分」 or 「没修好」 is about."""
    waiting = all_awaiting_feedback(session, reporter_id=reporter_id, rules=rules, now=now)
    return waiting[0] if waiting else None


def all_awaiting_feedback(
    session: Session, *, reporter_id: int, rules: TicketRules, now: datetime
) -> list[Ticket]:
    """Every ticket of the reporter's that a rating or 「没修好」 could be about, newest first."""
    since = now - timedelta(days=rules.reopen_days)
    query = (
        select(Ticket)
        .where(
            Ticket.reporter_id == reporter_id,
            col(Ticket.status).in_((TicketStatus.resolved, TicketStatus.closed)),
            col(Ticket.resolved_at) >= since,
        )
        .order_by(col(Ticket.resolved_at).desc())
    )
    waiting = []
    for ticket in session.exec(query):
        rated = session.exec(select(Rating.id).where(Rating.ticket_id == ticket.id)).first()
        if ticket.status == TicketStatus.resolved or not rated or ticket.resident_fixed is None:
            waiting.append(ticket)
    return waiting


def rate(
    session: Session,
    *,
    ticket: Ticket,
    person: Person,
    overall: int,
    speed: int,
    service: int,
    comment: str,
    now: datetime,
) -> Outcome:
    """A rating (1–5 each) from the reporter; it closes a resolved ticket. One rating per ticket."""
    if person.id != ticket.reporter_id:
        return Outcome(False, "not_yours", ticket)
    if ticket.status not in (TicketStatus.resolved, TicketStatus.closed):
        return Outcome(False, "wrong_status", ticket)
    if session.exec(select(Rating.id).where(Rating.ticket_id == ticket.id)).first() is not None:
        return Outcome(False, "already_rated", ticket)
    scores = [max(1, min(5, int(x))) for x in (overall, speed, service)]
    session.add(
        Rating(
            ticket_id=ticket.id,
            person_id=person.id,
            overall=scores[0],
            speed=scores[1],
            service=scores[2],
            comment=comment[:200],
            created_at=now,
        )
    )  # type: ignore[arg-type]
    session.flush()
    if ticket.resident_fixed is None:
        session.execute(
            update(Ticket)
            .where(col(Ticket.id) == ticket.id, col(Ticket.resident_fixed).is_(None))
            .values(resident_fixed=True)
        )
    transition(
        session,
        ticket=ticket,
        action="rate",
        to=TicketStatus.closed,
        expected=(TicketStatus.resolved,),
        actor_id=person.id,
        now=now,
        note=f"{scores[0]}/{scores[1]}/{scores[2]} {comment}".strip(),
        closed_at=now,
    )
    session.refresh(ticket)
    facts = {
        **_facts(ticket),
        "overall": scores[0],
        "speed": scores[1],
        "service": scores[2],
        "comment": comment,
    }
    _tell_handler(session, ticket, f"ticket:{ticket.id}:rated", TEXTS["rated"].format(**facts), now)
    return Outcome(True, ticket=ticket)


def confirm_fixed(session: Session, *, ticket: Ticket, person: Person, now: datetime) -> Outcome:
    """「解决了」: the reporter's own word that it is fixed (counts for 解决率)."""
    if person.id != ticket.reporter_id:
        return Outcome(False, "not_yours", ticket)
    session.execute(update(Ticket).where(col(Ticket.id) == ticket.id).values(resident_fixed=True))
    record(session, ticket=ticket, action="confirm_fixed", actor_id=person.id, now=now)
    session.refresh(ticket)
    return Outcome(True, ticket=ticket)


def reopen(
    session: Session, *, ticket: Ticket, person: Person, note: str, rules: TicketRules, now: datetime
) -> Outcome:
    """「没修好」: back to the same handler with a fresh time limit."""
    if person.id != ticket.reporter_id:
        return Outcome(False, "not_yours", ticket)
    return send_back(
        session, ticket=ticket, actor_id=person.id, actor_label="", note=note, rules=rules, now=now
    )


def send_back(
    session: Session,
    *,
    ticket: Ticket,
    actor_id: int | None,
    actor_label: str,
    note: str,
    rules: TicketRules,
    now: datetime,
) -> Outcome:
    """A finished ticket goes back to its handler (and the building head) with a fresh time limit.

    The reporter's 「没修好」 in chat and the office's 回访 answer 「没解决」 both come here."""
    won = transition(
        session,
        ticket=ticket,
        action="reopen",
        to=TicketStatus.reopened,
        expected=(TicketStatus.resolved, TicketStatus.closed),
        actor_id=actor_id,
        actor_label=actor_label,
        now=now,
        note=note,
        resident_fixed=False,
        closed_at=None,
        close_at=None,
        followup_at=None,
        followup_sent_at=None,
        **deadlines(rules, hours=ticket.limit_hours, start=now),
    )
    if not won:
        return Outcome(False, "wrong_status", ticket)
    text = TEXTS["reopened"].format(**_facts(ticket), note=note or "问题仍在")
    _tell_handler(session, ticket, f"ticket:{ticket.id}:reopened:{now.isoformat()}", text, now)
    for head in building_heads(session, building_id=ticket.building_id):
        if head.id != ticket.assignee_id:
            key = f"ticket:{ticket.id}:reopened:{now.isoformat()}:head:{head.id}"
            enqueue(session, idempotency_key=key, person_id=head.id, kind="ticket", text=text, now=now)
    return Outcome(True, ticket=ticket)


def follow(session: Session, *, ticket: Ticket, person: Person, now: datetime) -> None:
    """A neighbour follows an existing ticket instead of filing a duplicate."""
    record(session, ticket=ticket, action="follow", actor_id=person.id, now=now)
