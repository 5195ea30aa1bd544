"""Visits to elderly people living alone (独居老人走访): a rota, weekly pushes, records, alerts.

Each rota pairs an elder with a volunteer and a due time. The volunteer is pushed when a
visit falls due and answers 「已走访 + 情况」; the record moves the due time on (compare-and-set).
A visit overdue past the grace period alerts the building head once per due time; a note
such as 「敲门没人应」 raises an emergency check with the building head, grid worker and staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Field, Session, SQLModel, col

from models.activities import when_label
from models.base import utc_field
from models.duty import responders
from models.outbox import OutboxMessage, enqueue
from models.people import Person, Role, describe
from models.points import PointSource, credit

PUSH_AHEAD = timedelta(days=1)  # the volunteer hears a day before the visit is due
GRACE = timedelta(days=2)  # after this the building head is alerted
CONCERN = re.compile(
    r"没人应|没人开门|无人应答|联系不上|打不通|摔|晕倒|昏迷|不舒服|生病|住院|异常|不对劲|没反应"
)

TEXTS = {
    "due": "走访提醒：请在{when}前走访{elder}。走访后回复「已走访 + 情况」，例如「已走访 身体不错」。",
    "missed": "【走访未完成】{volunteer}负责的{elder}已超过{days}天未走访，请跟进。",
    "concern": "【紧急核查】{volunteer}走访{elder}时反馈：「{note}」请立即上门或电话确认老人安全！",
}


class VisitRota(SQLModel, table=True):
    __tablename__ = "visit_rota"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    elder_id: int = Field(foreign_key="person.id", index=True)  # an elderly person living alone
    volunteer_id: int = Field(foreign_key="person.id", index=True)
    every_days: int = 7
    next_due_at: datetime = utc_field(index=True)
    active: bool = True
    created_at: datetime = utc_field()


class VisitRecord(SQLModel, table=True):
    __tablename__ = "visit_record"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    rota_id: int = Field(foreign_key="visit_rota.id", index=True)
    volunteer_id: int = Field(foreign_key="person.id", index=True)
    elder_id: int = Field(foreign_key="person.id", index=True)
    due_at: datetime = utc_field()
    visited_at: datetime = utc_field()
    note: str = ""
    concern: bool = False


def create_rota(
    session: Session,
    *,
    elder_id: int,
    volunteer_id: int,
    first_due_at: datetime,
    now: datetime,
    every_days: int = 7,
) -> VisitRota:
    if every_days < 1:
        raise ValueError("every_days must be at least 1")
    if elder_id == volunteer_id:
        raise ValueError("the volunteer cannot be the elder")
    for person_id in (elder_id, volunteer_id):
        if session.get(Person, person_id) is None:
            raise LookupError(f"person {person_id} not found")
    existing = (
        session.execute(
            select(VisitRota).where(
                col(VisitRota.elder_id) == elder_id,
                col(VisitRota.volunteer_id) == volunteer_id,
                col(VisitRota.active),
            )
        )
        .scalars()
        .first()
    )
    if existing is not None:
        return existing
    rota = VisitRota(
        elder_id=elder_id,
        volunteer_id=volunteer_id,
        every_days=every_days,
        next_due_at=first_due_at,
        created_at=now,
    )
    session.add(rota)
    session.flush()
    return rota


def rotas_of(session: Session, *, volunteer_id: int) -> list[VisitRota]:
    query = (
        select(VisitRota)
        .where(col(VisitRota.volunteer_id) == volunteer_id, col(VisitRota.active))
        .order_by(col(VisitRota.next_due_at), col(VisitRota.id))
    )
    return list(session.execute(query).scalars())


@dataclass(frozen=True)
class VisitResult:
    outcome: str  # recorded | no_rota
    elder: Person | None = None
    concern: bool = False
    alerted: int = 0


def record_visit(
    session: Session, *, volunteer: Person, note: str, now: datetime, dedupe: str, points: int = 0
) -> VisitResult:
    """The volunteer's answer 「已走访 …」 for their most due elder (or the one the note names)."""
    rotas = rotas_of(session, volunteer_id=volunteer.id)  # type: ignore[arg-type]
    if not rotas:
        return VisitResult("no_rota")
    elders = {rota.id: session.get(Person, rota.elder_id) for rota in rotas}
    named = [rota for rota in rotas if (elder := elders[rota.id]) and elder.name and elder.name in note]
    rota = (named or rotas)[0]
    elder = elders[rota.id]
    assert elder is not None
    concern = bool(CONCERN.search(note))
    session.add(
        VisitRecord(
            rota_id=rota.id,  # type: ignore[arg-type]
            volunteer_id=volunteer.id,  # type: ignore[arg-type]
            elder_id=elder.id,  # type: ignore[arg-type]
            due_at=rota.next_due_at,
            visited_at=now,
            note=note.strip(),
            concern=concern,
        )
    )
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
    alerted = 0
    if concern:
        roles = (Role.building_head, Role.grid_worker, Role.staff)
        text = TEXTS["concern"].format(
            volunteer=volunteer.name or "志愿者", elder=describe(session, elder), note=note.strip()
        )
        for person in responders(session, person=elder, roles=roles):
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
    return VisitResult("recorded", elder, concern, alerted)


def push_due_visits(session: Session, *, now: datetime) -> int:
    """Tell each volunteer once per due time that a visit is coming up (or overdue)."""
    query = select(VisitRota).where(col(VisitRota.active), col(VisitRota.next_due_at) <= now + PUSH_AHEAD)
    pushed = 0
    for rota in session.execute(query).scalars():
        elder = session.get(Person, rota.elder_id)
        key = f"visit:{rota.id}:{rota.next_due_at.isoformat()}:due"
        if _exists(session, key):
            continue
        enqueue(
            session,
            idempotency_key=key,
            person_id=rota.volunteer_id,
            kind="visit",
            text=TEXTS["due"].format(
                when=when_label(rota.next_due_at), elder=describe(session, elder) if elder else ""
            ),
            now=now,
        )
        pushed += 1
    return pushed


def alert_missed_visits(session: Session, *, now: datetime) -> int:
    """Alert the building head (else the grid worker) once per overdue visit."""
    query = select(VisitRota).where(col(VisitRota.active), col(VisitRota.next_due_at) < now - GRACE)
    alerted = 0
    for rota in session.execute(query).scalars():
        elder = session.get(Person, rota.elder_id)
        volunteer = session.get(Person, rota.volunteer_id)
        if elder is None or volunteer is None:
            continue
        heads = responders(session, person=elder, roles=(Role.building_head,)) or responders(
            session, person=elder, roles=(Role.grid_worker,)
        )
        days = (now - rota.next_due_at).days
        text = TEXTS["missed"].format(
            volunteer=volunteer.name or "志愿者", elder=describe(session, elder), days=days
        )
        for head in heads:
            key = f"visit:{rota.id}:{rota.next_due_at.isoformat()}:missed:{head.id}"
            before = _exists(session, key)
            enqueue(session, idempotency_key=key, person_id=head.id, kind="visit", text=text, now=now)
            alerted += not before
    return alerted


def _exists(session: Session, key: str) -> bool:
    return (
        session.execute(select(OutboxMessage.id).where(col(OutboxMessage.idempotency_key) == key)).first()
        is not None
    )
