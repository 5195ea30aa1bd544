"""Who gets a ticket and how it moves between workers: dispatch (派单), grab (抢单), accept (接单),
transfer (转单), return (退单), start and resolve. Each move is one CAS plus its pushes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.actors import system_label
from models.fanout import push_once
from models.people import Person, Role, describe, pushable
from models.sla import TicketRules, after_resolution, deadlines, limit_hours
from models.tickets import (
    WORKING,
    Ticket,
    TicketKind,
    TicketStatus,
    create_ticket,
    local_time,
    open_count,
    open_counts,
    record,
    transition,
)
from models.workers import (
    PROPERTY_LEAD_SKILL,
    ROLE_LABEL,
    building_heads,
    complaint_overseers,
    grid_workers,
    is_worker,
    property_leads,
    secretaries,
    staff_with_skill,
)

KIND_LABEL = {
    TicketKind.repair: "报修",
    TicketKind.dispute: "纠纷",
    TicketKind.complaint: "投诉",
    TicketKind.emergency: "紧急求助",
}
TEXTS = {
    "new_for_head": "【新{kind}】{code}：{place}，{what}。{who}",
    "dispatched": "【派单】{code}：{place}，{what}，期限 {due}。{who}\n回复「接单 {code}」接单。",
    "pool": "【抢单】{code}：{place}，{what}，期限 {due}。回复「抢单 {code}」接单。",
    "nobody": "【待派单】{code}：{place}，{what}，暂无可派的维修人员。请回复「派单 {code} {name}」派单，师傅可换成别人。",
    "to_reporter_dispatched": "您的{kind} {code} 已派给{handler}处理。",
    "to_reporter_accepted": "{handler}已接单 {code}，会尽快与您联系。",
    "to_reporter_resolved": (
        "您的{kind} {code} 已处理完成：{note}\n"
        "请为本次服务打分：回复 1-5 分，例如「5」，或「5 4 5 很及时」（依次为总体、速度、态度，可附一句话）。"
        "没修好请回复「没修好」。"
    ),
    "complaint_copy": "【投诉督办】{code}：{place}，{what}。{who}已转物业{lead}处理，请社区跟进督办。",
    "returned": "【退单】{code}（{place}，{what}）被{handler}退回：{reason}。请重新派单。",
}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""  # taken | not_yours | wrong_status | cap | not_worker
    ticket: Ticket | None = None
    holder: str = ""  # who has it, when taken


def handler_label(person: Person) -> str:
    return f"{ROLE_LABEL.get(person.role, '')}{person.name}".strip() or "工作人员"


def _facts(ticket: Ticket) -> dict[str, str]:
    return {
        "code": ticket.code,
        "kind": KIND_LABEL[ticket.kind],
        "place": ticket.place or "未注明地点",
        "what": (ticket.category + "，" if ticket.category else "") + ticket.description[:40],
        "due": local_time(ticket.due_at),
    }


def _push(session: Session, key: str, person_id: int | None, text: str, now: datetime) -> None:
    if person_id is not None and pushable(session.get(Person, person_id)):
        push_once(session, idempotency_key=key, person_id=person_id, kind="ticket", text=text, now=now)


def open_ticket(
    session: Session,
    *,
    rules: TicketRules,
    kind: TicketKind,
    reporter: Person,
    now: datetime,
    intake: tuple[int | None, str, str] | None = None,
    **fields: Any,
) -> Ticket:
    """File a ticket with its time limit and route it (pushes in the same transaction); ``intake``:
    (person id, label, how) of whoever logged it for the reporter (电话报修), on the timeline first."""
    hours = limit_hours(rules, kind=kind, category=fields.get("category", ""))
    timing = deadlines(rules, hours=hours, start=now)
    mode = (
        "grab"
        if kind == TicketKind.emergency
        else rules.dispatch_modes.get(fields.get("category", ""), rules.default_mode)
    )
    ticket = create_ticket(
        session,
        kind=kind,
        reporter_id=reporter.id,
        now=now,
        mode=mode,
        **timing,
        **fields,  # type: ignore[arg-type]
    )
    if intake is not None:
        by_id, by_label, how = intake
        record(
            session, ticket=ticket, action="intake", actor_id=by_id, actor_label=by_label, now=now, note=how
        )
    route(session, ticket=ticket, reporter=reporter, rules=rules, now=now)
    return ticket


def route(session: Session, *, ticket: Ticket, reporter: Person, rules: TicketRules, now: datetime) -> None:
    facts = _facts(ticket)
    who = "报告人：" + describe(session, reporter) + "。"
    if ticket.kind == TicketKind.emergency:
        return  # models.emergencies alerts everyone on duty once; the first to 接单 takes it
    if ticket.kind == TicketKind.repair:
        for head in building_heads(session, building_id=ticket.building_id):
            text = TEXTS["new_for_head"].format(**facts, who=who)
            _push(session, f"ticket:{ticket.id}:new:{head.id}", head.id, text, now)
    if ticket.kind == TicketKind.dispute:
        mediators = (
            building_heads(session, building_id=ticket.building_id)
            or grid_workers(session, building_id=ticket.building_id)
            or secretaries(session)
        )
        if mediators:
            dispatch(session, ticket=ticket, person=mediators[0], actor_id=None, now=now)
        return
    if ticket.kind == TicketKind.complaint:
        leads = property_leads(session)
        if leads:
            dispatch(session, ticket=ticket, person=leads[0], actor_id=None, now=now)
        lead = leads[0].name if leads else ""
        for person in complaint_overseers(
            session, building_id=ticket.building_id
        ):  # 红色物业: the community oversees
            text = TEXTS["complaint_copy"].format(**facts, who=who, lead=lead)
            _push(session, f"ticket:{ticket.id}:oversee:{person.id}", person.id, text, now)
        return
    auto_route(session, ticket=ticket, rules=rules, now=now)


def auto_route(
    session: Session, *, ticket: Ticket, rules: TicketRules, now: datetime, exclude: int | None = None
) -> None:
    """Assign mode: the skilled staff member with the fewest open orders under the cap; grab mode: the pool."""
    facts = _facts(ticket)
    skilled = [p for p in staff_with_skill(session, category=ticket.category) if p.id != exclude]
    if ticket.mode == "grab":
        for person in skilled:
            _push(
                session, f"ticket:{ticket.id}:pool:{person.id}", person.id, TEXTS["pool"].format(**facts), now
            )
        if skilled:
            return
    else:
        counts = open_counts(session, [p.id for p in skilled])  # type: ignore[misc]
        loads = [(counts[p.id], p.id, p) for p in skilled]  # type: ignore[index]
        free = sorted(item for item in loads if item[0] < rules.max_open_per_worker)
        if free:
            dispatch(session, ticket=ticket, person=free[0][2], actor_id=None, now=now)
            return
    suggested = suggested_worker(session, ticket=ticket)
    text = TEXTS["nobody"].format(**facts, name=suggested.name if suggested else "王师傅")
    for person in grid_workers(session, building_id=ticket.building_id):
        _push(session, f"ticket:{ticket.id}:nobody:{person.id}", person.id, text, now)


def suggested_worker(session: Session, *, ticket: Ticket) -> Person | None:
    """Who to name in 「派单 R… 王师傅」: the least loaded skilled staff member, else any staff member."""
    staff = staff_with_skill(session, category=ticket.category) or [
        p
        for p in session.exec(select(Person).where(Person.role == Role.staff).order_by(col(Person.id)))
        if PROPERTY_LEAD_SKILL not in (p.skills or [])
    ]
    counts = open_counts(session, [p.id for p in staff])  # type: ignore[misc]
    loads = sorted((counts[p.id], p.id, p) for p in staff)  # type: ignore[index]
    return loads[0][2] if loads else None


def dispatch(
    session: Session,
    *,
    ticket: Ticket,
    person: Person,
    actor_id: int | None,
    now: datetime,
    actor_label: str = "",
    note: str = "",
) -> Outcome:
    """派单: an unassigned ticket goes to ``person``; they and the reporter are told.

    ``actor_label`` names who dispatched when no person did (a config token, automatic routing)."""
    if not is_worker(person):
        return Outcome(False, "not_worker", ticket)
    won = transition(
        session,
        ticket=ticket,
        action="dispatch",
        to=TicketStatus.dispatched,
        expected=(TicketStatus.submitted, TicketStatus.reopened),
        actor_id=actor_id,
        actor_label=actor_label or ("" if actor_id else system_label("routing")),
        now=now,
        note=f"{person.name} {note}".strip(),
        assignee_id=person.id,
    )
    if not won:
        return Outcome(False, "wrong_status", ticket)
    _announce_dispatch(session, ticket=ticket, person=person, now=now)
    return Outcome(True, ticket=ticket)


def _announce_dispatch(session: Session, *, ticket: Ticket, person: Person, now: datetime) -> None:
    facts = _facts(ticket)
    reporter = session.get(Person, ticket.reporter_id)
    who = "报告人：" + describe(session, reporter) + "。" if reporter else ""
    text = TEXTS["dispatched"].format(**facts, who=who)
    _push(
        session,
        f"ticket:{ticket.id}:dispatched:{person.id}:{ticket.updated_at.isoformat()}",
        person.id,
        text,
        now,
    )
    text = TEXTS["to_reporter_dispatched"].format(**facts, handler=handler_label(person))
    _push(session, f"ticket:{ticket.id}:dispatched:{person.id}:reporter", ticket.reporter_id, text, now)


def accept(session: Session, *, ticket: Ticket, person: Person, rules: TicketRules, now: datetime) -> Outcome:
    """接单 / 抢单: the assignee accepts, or anyone allowed grabs an unassigned ticket; one racer wins."""
    if not is_worker(person):
        return Outcome(False, "not_worker", ticket)
    values = {"assignee_id": person.id, "accepted_at": ticket.accepted_at or now}
    if ticket.status in (TicketStatus.submitted, TicketStatus.reopened) and ticket.assignee_id is None:
        busy = open_count(session, person_id=person.id) >= rules.max_open_per_worker  # type: ignore[arg-type]
        if busy and ticket.kind != TicketKind.emergency:  # nobody is kept from taking an emergency
            return Outcome(False, "cap", ticket)
        won = transition(
            session,
            ticket=ticket,
            action="grab",
            to=TicketStatus.accepted,
            expected=(TicketStatus.submitted, TicketStatus.reopened),
            actor_id=person.id,
            now=now,
            assignee_is=None,
            **values,
        )
    elif ticket.assignee_id == person.id:
        won = transition(
            session,
            ticket=ticket,
            action="accept",
            to=TicketStatus.accepted,
            expected=(TicketStatus.dispatched, TicketStatus.reopened),
            actor_id=person.id,
            now=now,
            assignee_is=person.id,
            **values,
        )
    else:
        won = False
    if not won:
        return _why_not(session, ticket, person)
    text = TEXTS["to_reporter_accepted"].format(**_facts(ticket), handler=handler_label(person))
    _push(
        session,
        f"ticket:{ticket.id}:accepted:{person.id}:{ticket.updated_at.isoformat()}",
        ticket.reporter_id,
        text,
        now,
    )
    return Outcome(True, ticket=ticket)


def _why_not(session: Session, ticket: Ticket, person: Person) -> Outcome:
    if ticket.assignee_id is not None and ticket.assignee_id != person.id and ticket.status in WORKING:
        holder = session.get(Person, ticket.assignee_id)
        return Outcome(False, "taken", ticket, holder.name if holder else "")
    if ticket.assignee_id == person.id and ticket.status in (TicketStatus.accepted, TicketStatus.in_progress):
        return Outcome(False, "already_yours", ticket)
    return Outcome(False, "wrong_status", ticket)


def transfer(
    session: Session,
    *,
    ticket: Ticket,
    actor: Person | None,
    target: Person,
    now: datetime,
    note: str = "",
    by_id: int | None = None,
    by_label: str = "",
) -> Outcome:
    """转单: the assignee (or a building head, grid worker, secretary, admin, the API) hands it on.

    ``actor`` None is the office (the API or console, whose role was checked already); the event
    then names ``by_id`` (the person behind the token) or ``by_label``."""
    if not is_worker(target):
        return Outcome(False, "not_worker", ticket)
    supervisor = actor is None or actor.role in (
        Role.building_head,
        Role.grid_worker,
        Role.secretary,
        Role.admin,
    )
    if not supervisor and ticket.assignee_id != actor.id:  # type: ignore[union-attr]
        return Outcome(False, "not_yours", ticket)
    won = transition(
        session,
        ticket=ticket,
        action="transfer",
        to=TicketStatus.dispatched,
        expected=(*WORKING, TicketStatus.submitted),
        actor_id=actor.id if actor else by_id,
        actor_label=by_label,
        now=now,
        note=note.strip(),
        assignee_is=ticket.assignee_id,
        assignee_id=target.id,
    )
    if not won:
        return _why_not(session, ticket, target)
    _announce_dispatch(session, ticket=ticket, person=target, now=now)
    return Outcome(True, ticket=ticket)


def return_ticket(
    session: Session, *, ticket: Ticket, actor: Person, reason: str, rules: TicketRules, now: datetime
) -> Outcome:
    """退单: the assignee gives it back with a reason; assign mode tries the next skilled worker."""
    if ticket.assignee_id != actor.id:
        return Outcome(False, "not_yours", ticket)
    won = transition(
        session,
        ticket=ticket,
        action="return",
        to=TicketStatus.submitted,
        expected=(
            TicketStatus.dispatched,
            TicketStatus.accepted,
            TicketStatus.in_progress,
            TicketStatus.reopened,
        ),
        actor_id=actor.id,
        now=now,
        note=reason,
        assignee_is=actor.id,
        assignee_id=None,
    )
    if not won:
        return Outcome(False, "wrong_status", ticket)
    facts = _facts(ticket)
    text = TEXTS["returned"].format(**facts, handler=actor.name, reason=reason or "未说明")
    stamp = ticket.updated_at.isoformat()
    for person in building_heads(session, building_id=ticket.building_id):
        _push(session, f"ticket:{ticket.id}:returned:{stamp}:{person.id}", person.id, text, now)
    if ticket.kind == TicketKind.repair:
        auto_route(session, ticket=ticket, rules=rules, now=now, exclude=actor.id)
    return Outcome(True, ticket=ticket)


def start(session: Session, *, ticket: Ticket, actor: Person, now: datetime) -> Outcome:
    won = transition(
        session,
        ticket=ticket,
        action="start",
        to=TicketStatus.in_progress,
        expected=(TicketStatus.accepted,),
        actor_id=actor.id,
        now=now,
        assignee_is=actor.id,
    )
    return Outcome(True, ticket=ticket) if won else _why_not(session, ticket, actor)


def resolve(
    session: Session,
    *,
    ticket: Ticket,
    actor: Person | None,
    note: str,
    rules: TicketRules,
    now: datetime,
    photos: list[str] | None = None,
    actor_label: str = "",
    **values: Any,
) -> Outcome:
    """完成: the assignee (or, from the API, anyone) reports it done; the reporter is asked to rate."""
    if actor is not None and actor.role == Role.staff and ticket.assignee_id != actor.id:
        return Outcome(False, "not_yours", ticket)
    won = transition(
        session,
        ticket=ticket,
        action="resolve",
        to=TicketStatus.resolved,
        expected=(TicketStatus.dispatched, TicketStatus.accepted, TicketStatus.in_progress),
        actor_id=actor.id if actor else None,
        actor_label=actor_label,
        now=now,
        note=note,
        **({"assignee_is": actor.id} if actor is not None and actor.role == Role.staff else {}),
        resolved_at=now,
        resolved_by_id=actor.id if actor else ticket.assignee_id,
        resolution=note,
        resolution_photos=photos or [],
        accepted_at=ticket.accepted_at or now,
        **after_resolution(rules, now=now),
        **values,
    )
    if not won:
        return _why_not(session, ticket, actor) if actor else Outcome(False, "wrong_status", ticket)
    if ticket.kind != TicketKind.dispute:
        text = TEXTS["to_reporter_resolved"].format(**_facts(ticket), note=note or "已处理")
        _push(session, f"ticket:{ticket.id}:resolved:{now.isoformat()}", ticket.reporter_id, text, now)
    return Outcome(True, ticket=ticket)
