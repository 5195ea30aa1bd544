"""How a ticket moves between workers: dispatch (派单), grab (抢单), accept (接单), transfer (转单),
start and resolve. Each move is one CAS plus its pushes. Filing a ticket and routing it (and
退单, which routes it again) are in ``models.routing``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from models.actors import system_label
from models.fanout import push_once
from models.people import Person, Role, describe, pushable
from models.sla import TicketRules, after_resolution
from models.tickets import (
    WORKING,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    clip,
    local_time,
    transition,
)
from models.workers import (
    ROLE_LABEL,
    is_worker,
)
from models.workload import over_cap_note, within_cap

KIND_LABEL = {
    TicketKind.repair: "报修",
    TicketKind.dispute: "纠纷",
    TicketKind.complaint: "投诉",
    TicketKind.emergency: "紧急求助",
}
TEXTS = {
    "new_for_head": "【新{kind}】{code}：{place}，{what}。{who}{attached}",
    "dispatched": "【派单】{code}：{place}，{what}，期限 {due}。{who}{attached}\n回复「接单 {code}」接单。",
    "pool": "【抢单】{code}：{place}，{what}，期限 {due}。{attached_then}回复「抢单 {code}」接单。",
    "nobody": (
        "【待派单】{code}：{place}，{what}，暂无可派的维修人员。{attached_then}"
        "请回复「派单 {code} {name}」派单，师傅可换成别人。"
    ),
    "to_reporter_dispatched": "您的{kind} {code} 已派给{handler}处理。",
    "to_reporter_accepted": "{handler}已接单 {code}，会尽快与您联系。",
    "to_reporter_coming": "{handler}已接手您的紧急求助 {code}，正在赶来，请保持电话畅通。",
    "to_reporter_resolved": (
        "您的{kind} {code} 已处理完成：{note}\n"
        "请为本次服务打分：回复 1-5 分，例如「5」，或「5 4 5 很及时」（依次为总体、速度、态度，可附一句话）。"
        "没修好请回复「没修好」。"
    ),
    "complaint_copy": "【投诉督办】{code}：{place}，{what}。{who}已转物业{lead}处理，请社区跟进督办。",
    "returned": "【退单】{code}（{place}，{what}）被{handler}退回：{reason}。请重新派单。",
    "to_reporter_returned": "您的{kind} {code} 需要换人处理，社区正在重新安排，安排好会告诉您。",
}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""  # taken | not_yours | wrong_status | cap | not_worker
    ticket: Ticket | None = None
    holder: str = ""  # who has it, when taken


def handler_label(person: Person) -> str:
    return f"{ROLE_LABEL.get(person.role, '')}{person.name}".strip() or "工作人员"


def ticket_facts(ticket: Ticket) -> dict[str, str]:
    return {
        "code": ticket.code,
        "kind": KIND_LABEL[ticket.kind],
        "place": ticket.place or "未注明地点",
        "what": (ticket.category + "，" if ticket.category else "")
        + clip(ticket.description, 40)
        + (f"；诉求：{clip(ticket.wants, 30)}" if ticket.wants else ""),
        "due": local_time(ticket.due_at),
        "attached": attached(ticket),
        "attached_then": attached(ticket) + "\n" if ticket.photos or ticket.latitude is not None else "",
    }


def map_link(ticket: Ticket) -> str:
    """A map marker at the location the resident sent (WeChat's coordinates are GCJ-02, as Amap's)."""
    if ticket.latitude is None or ticket.longitude is None:
        return ""
    return f"https://uri.amap.com/marker?position={ticket.longitude:.6f},{ticket.latitude:.6f}"


def attached(ticket: Ticket) -> str:
    """The photos and location a resident sent, as lines of links for a push ("" when none)."""
    lines = []
    links = [p for p in ticket.photos if p.startswith(("https://", "http://"))]
    if ticket.photos:
        shown = "\n".join(links)
        lines.append(f"\n照片 {len(ticket.photos)} 张" + (f"：\n{shown}" if shown else "（在工单页查看）"))
    if map_link(ticket):
        lines.append(f"\n定位：{map_link(ticket)}")
    return "".join(lines)


def push(session: Session, key: str, person_id: int | None, text: str, now: datetime) -> None:
    if person_id is not None and pushable(session.get(Person, person_id)):
        push_once(session, idempotency_key=key, person_id=person_id, kind="ticket", text=text, now=now)


def dispatch(
    session: Session,
    *,
    ticket: Ticket,
    person: Person,
    actor_id: int | None,
    now: datetime,
    actor_label: str = "",
    note: str = "",
    rules: TicketRules | None = None,
    override: str = "",
) -> Outcome:
    """派单: an unassigned ticket goes to ``person``; they and the reporter are told.

    ``actor_label`` names who dispatched when no person did (a config token, automatic routing).
    By hand (``rules`` given) the per-worker cap holds unless ``override`` gives a reason;
    automatic routing (``rules`` None) chooses by load itself."""
    if not is_worker(person):
        return Outcome(False, "not_worker", ticket)
    if rules is not None and not within_cap(
        session, ticket=ticket, target=person, rules=rules, override=override
    ):
        return Outcome(False, "cap", ticket)
    note = f"{note} {over_cap_note('dispatch', override)}".strip()
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
    facts = ticket_facts(ticket)
    reporter = session.get(Person, ticket.reporter_id)
    who = "报告人：" + describe(session, reporter) + "。" if reporter else ""
    text = TEXTS["dispatched"].format(**facts, who=who)
    push(
        session,
        f"ticket:{ticket.id}:dispatched:{person.id}:{ticket.updated_at.isoformat()}",
        person.id,
        text,
        now,
    )
    text = TEXTS["to_reporter_dispatched"].format(**facts, handler=handler_label(person))
    # Each hand-over is news to the reporter, back and forth too: keyed by the step it was.
    step = session.exec(
        select(func.count()).select_from(TicketEvent).where(col(TicketEvent.ticket_id) == ticket.id)
    ).one()
    key = f"ticket:{ticket.id}:dispatched:{person.id}:reporter:{step}"
    push(session, key, ticket.reporter_id, text, now)


def accept(session: Session, *, ticket: Ticket, person: Person, rules: TicketRules, now: datetime) -> Outcome:
    """接单 / 抢单: the assignee accepts, or anyone allowed grabs an unassigned ticket; one racer wins."""
    if not is_worker(person):
        return Outcome(False, "not_worker", ticket)
    values = {"assignee_id": person.id, "accepted_at": ticket.accepted_at or now}
    if ticket.status in (TicketStatus.submitted, TicketStatus.reopened) and ticket.assignee_id is None:
        # nobody is kept from taking an emergency
        if ticket.kind != TicketKind.emergency and not within_cap(
            session, ticket=ticket, target=person, rules=rules
        ):
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
    key = "to_reporter_coming" if ticket.kind == TicketKind.emergency else "to_reporter_accepted"
    text = TEXTS[key].format(**ticket_facts(ticket), handler=handler_label(person))
    push(
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
    rules: TicketRules,
    now: datetime,
    note: str = "",
    override: str = "",
    by_id: int | None = None,
    by_label: str = "",
) -> Outcome:
    """转单: the assignee (or a building head, grid worker, secretary, admin, the API) hands it on.

    ``actor`` None is the office (the API or console, whose role was checked already); the event
    then names ``by_id`` (the person behind the token) or ``by_label``. The per-worker cap holds
    unless ``override`` gives a reason (reason ``cap``)."""
    if not is_worker(target):
        return Outcome(False, "not_worker", ticket)
    if not within_cap(session, ticket=ticket, target=target, rules=rules, override=override):
        return Outcome(False, "cap", ticket)
    note = f"{note.strip()} {over_cap_note('transfer', override)}".strip()
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
    """完成: the assignee (or, from the API, anyone) reports it done; the reporter is asked to rate.
    A reopened ticket (返修, 没化解) can be finished again straight away."""
    if actor is not None and actor.role == Role.staff and ticket.assignee_id != actor.id:
        return Outcome(False, "not_yours", ticket)
    won = transition(
        session,
        ticket=ticket,
        action="resolve",
        to=TicketStatus.resolved,
        expected=WORKING,
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
        text = TEXTS["to_reporter_resolved"].format(**ticket_facts(ticket), note=note or "已处理")
        push(session, f"ticket:{ticket.id}:resolved:{now.isoformat()}", ticket.reporter_id, text, now)
    return Outcome(True, ticket=ticket)
