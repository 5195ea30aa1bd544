"""Recording what a visit found, and what follows from it.

Only a visit that saw the person (见到本人, 需要帮助) counts: it earns the volunteer's points,
moves the due time on (compare-and-set) and ends any urgent check still open for the elder.
无人应答 opens an urgent check (紧急核查, an emergency ticket with its own time limit and
escalation ladder) dispatched to the elder's supervisor; 住院或外出 pauses the rota; 需要帮助
opens an ordinary task. Words of danger alert the building's responders at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.community import room_label
from models.dispatch import dispatch
from models.duty import responders
from models.outbox import enqueue
from models.people import Person, Role, describe, home_of
from models.points import PointSource, credit
from models.sla import TicketRules, deadlines, limit_hours
from models.tickets import OPEN, Ticket, TicketKind, TicketStatus, create_ticket, transition
from models.visit_outcomes import CHECK_CATEGORY, COUNTS, DANGER, LABEL, Outcome, names_elder
from models.visits import VisitRecord, VisitRota, is_paused, pause_rota, rotas_of
from models.workers import building_heads, grid_workers, secretaries

HELP_CATEGORY = "助老服务"
TEXTS = {
    "check": "独居老人{elder}走访{label}：「{note}」请立即上门或电话确认老人安全。",
    "help": "独居老人{elder}需要帮助：「{note}」（志愿者{volunteer}走访时反馈）",
    "concern": "【紧急核查】{volunteer}走访{elder}时反馈：「{note}」{code}请立即上门或电话确认老人安全！",
    "check_over": "【核查解除】{code}：{who}已见到{elder}本人，核查结束。",
}


@dataclass(frozen=True)
class VisitResult:
    status: str  # recorded | no_rota
    outcome: Outcome | None = None
    elder: Person | None = None
    rota: VisitRota | None = None
    ticket: Ticket | None = None  # the urgent check or the task it opened
    closed: tuple[Ticket, ...] = ()  # urgent checks this visit ended
    alerted: int = 0
    counted: bool = False


def choose_rota(session: Session, *, volunteer: Person, note: str, now: datetime) -> VisitRota | None:
    """The rota the note names by the elder's name, else the volunteer's most due running one."""
    rotas = rotas_of(session, volunteer_id=volunteer.id)  # type: ignore[arg-type]
    if not rotas:
        return None
    named = [r for r in rotas if (e := session.get(Person, r.elder_id)) and names_elder(e.name, note)]
    running = [r for r in rotas if not is_paused(r, now)]
    return (named or running or rotas)[0]


def supervisors(session: Session, *, elder: Person, volunteer_id: int | None) -> list[Person]:
    """Who answers for a volunteer's visits: the elder's building head, else the grid worker, else
    the secretary — never the volunteer (nor the elder) themselves."""
    home = home_of(session, elder)
    building_id = home[0].id if home else None
    for group in (
        building_heads(session, building_id=building_id),
        grid_workers(session, building_id=building_id),
        secretaries(session),
    ):
        people = [p for p in group if p.id not in (volunteer_id, elder.id)]
        if people:
            return people
    return []


def open_checks(session: Session, *, elder_id: int) -> list[Ticket]:
    """Urgent checks still open for an elder."""
    opened = select(VisitRecord.ticket_id).where(
        VisitRecord.elder_id == elder_id, col(VisitRecord.ticket_id).is_not(None)
    )
    query = (
        select(Ticket)
        .where(
            col(Ticket.id).in_(opened),
            Ticket.category == CHECK_CATEGORY,
            col(Ticket.status).in_(OPEN),
        )
        .order_by(col(Ticket.id))
    )
    return list(session.exec(query).all())


def _open_for(
    session: Session,
    *,
    rules: TicketRules,
    kind: TicketKind,
    category: str,
    elder: Person,
    volunteer: Person,
    description: str,
    now: datetime,
) -> Ticket:
    """A ticket about the elder's home, reported by the volunteer, dispatched to the supervisor."""
    home = home_of(session, elder)
    hours = limit_hours(rules, kind=kind, category=category)
    ticket = create_ticket(
        session,
        kind=kind,
        reporter_id=volunteer.id,  # type: ignore[arg-type]
        now=now,
        category=category,
        building_id=home[0].id if home else None,
        room_id=home[1].id if home else None,
        place=room_label(*home) if home else "",
        description=description[:500],
        mode="assign",
        **deadlines(rules, hours=hours, start=now),  # type: ignore[arg-type]
    )
    people = supervisors(session, elder=elder, volunteer_id=volunteer.id)
    if people:
        dispatch(session, ticket=ticket, person=people[0], actor_id=None, now=now)
    return ticket


def _close_checks(session: Session, *, elder: Person, who: Person, now: datetime) -> tuple[Ticket, ...]:
    closed: list[Ticket] = []
    for ticket in open_checks(session, elder_id=elder.id):  # type: ignore[arg-type]
        note = f"{who.name or '志愿者'}已见到本人"
        if not transition(
            session,
            ticket=ticket,
            action="close",
            to=TicketStatus.closed,
            expected=OPEN,
            actor_id=who.id,
            now=now,
            note=note,
            resolved_at=now,
            resolved_by_id=who.id,
            resolution=note,
            closed_at=now,
        ):
            continue
        closed.append(ticket)
        told = {p.id: p for p in supervisors(session, elder=elder, volunteer_id=who.id)}
        if ticket.assignee_id is not None and ticket.assignee_id != who.id:
            told.setdefault(ticket.assignee_id, None)  # type: ignore[arg-type]
        text = TEXTS["check_over"].format(
            code=ticket.code, who=who.name or "志愿者", elder=elder.name or "老人"
        )
        for person_id in told:
            enqueue(
                session,
                idempotency_key=f"visit-check:{ticket.id}:over:{person_id}",
                person_id=person_id,  # type: ignore[arg-type]
                kind="ticket",
                text=text,
                now=now,
            )
    return tuple(closed)


def _alert_responders(
    session: Session, *, elder: Person, volunteer: Person, note: str, code: str, dedupe: str, now: datetime
) -> int:
    text = TEXTS["concern"].format(
        volunteer=volunteer.name or "志愿者",
        elder=describe(session, elder),
        note=note,
        code=f"（{code}）" if code else "",
    )
    alerted = 0
    for person in responders(session, person=elder, roles=(Role.building_head, Role.grid_worker, Role.staff)):
        if person.id == volunteer.id:
            continue
        enqueue(
            session,
            idempotency_key=f"visit:{dedupe}:concern:{person.id}",
            person_id=person.id,
            kind="emergency",
            text=text,
            now=now,
        )
        alerted += 1
    return alerted


def record_visit(
    session: Session,
    *,
    rules: TicketRules,
    volunteer: Person,
    outcome: Outcome,
    note: str,
    now: datetime,
    dedupe: str,
    rota: VisitRota | None = None,
    points: int = 0,
    paused_until: datetime | None = None,
) -> VisitResult:
    """Record the volunteer's visit with what it found, and do what that outcome calls for."""
    rota = rota or choose_rota(session, volunteer=volunteer, note=note, now=now)
    if rota is None:
        return VisitResult("no_rota")
    elder = session.get(Person, rota.elder_id)
    assert elder is not None
    note = note.strip()
    danger = bool(DANGER.search(note))
    counted = outcome in COUNTS
    visit = VisitRecord(
        rota_id=rota.id,  # type: ignore[arg-type]
        volunteer_id=volunteer.id,  # type: ignore[arg-type]
        elder_id=elder.id,  # type: ignore[arg-type]
        due_at=rota.next_due_at,
        visited_at=now,
        note=note,
        concern=danger or outcome == Outcome.no_answer,
        outcome=outcome.value,
    )
    ticket: Ticket | None = None
    closed: tuple[Ticket, ...] = ()
    label = LABEL[outcome]
    if counted:
        session.execute(
            update(VisitRota)
            .where(col(VisitRota.id) == rota.id, col(VisitRota.next_due_at) == rota.next_due_at)
            .values(next_due_at=now + timedelta(days=rota.every_days))
        )
        if points > 0:
            credit(
                session,
                person_id=volunteer.id,  # type: ignore[arg-type]
                amount=points,
                reason=f"走访独居老人{elder.name}",
                source=PointSource.task,
                source_ref=f"visit-rota:{rota.id}",
                idempotency_key=f"visit:{dedupe}:points",
                now=now,
            )
        closed = _close_checks(session, elder=elder, who=volunteer, now=now)
    if outcome == Outcome.no_answer:
        existing = open_checks(session, elder_id=elder.id)  # type: ignore[arg-type]
        ticket = existing[0] if existing else None
        if ticket is None:
            ticket = _open_for(
                session,
                rules=rules,
                kind=TicketKind.emergency,
                category=CHECK_CATEGORY,
                elder=elder,
                volunteer=volunteer,
                description=TEXTS["check"].format(elder=elder.name or "", label=label, note=note or label),
                now=now,
            )
    elif outcome == Outcome.needs_help:
        ticket = _open_for(
            session,
            rules=rules,
            kind=TicketKind.repair,
            category=HELP_CATEGORY,
            elder=elder,
            volunteer=volunteer,
            description=TEXTS["help"].format(
                elder=elder.name or "", note=note, volunteer=volunteer.name or ""
            ),
            now=now,
        )
    elif outcome == Outcome.away:
        pause_rota(session, rota=rota, now=now, until=paused_until, reason=note or label)
    visit.ticket_id = ticket.id if ticket is not None else None
    session.add(visit)
    alerted = 0
    if danger or (outcome == Outcome.no_answer and ticket is not None and ticket.created_at == now):
        code = ticket.code if ticket is not None else ""
        alerted = _alert_responders(
            session, elder=elder, volunteer=volunteer, note=note or label, code=code, dedupe=dedupe, now=now
        )
    return VisitResult("recorded", outcome, elder, rota, ticket, closed, alerted, counted)
