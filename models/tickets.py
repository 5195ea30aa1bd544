"""Work orders (工单): repairs, disputes, complaints and emergencies, with a CAS state machine.

Every status change goes through :func:`transition`, an ``UPDATE … WHERE id=? AND status IN
(…)`` whose row count says whether this caller won; the winner records a :class:`TicketEvent`.

    submitted ─dispatch→ dispatched ─accept→ accepted ─start→ in_progress ─resolve→ resolved
        │  ╰──────────grab──────────────────────╯                              │      │
        ╰─ cancel (before resolution)     reopened ←──reopen (not fixed)───────╯    close
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Index, UniqueConstraint, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import MAX_INT, enum_field, json_field, read, utc_field


class TicketKind(StrEnum):
    repair = "repair"
    dispute = "dispute"
    complaint = "complaint"  # about the property company or its staff; counted apart
    emergency = "emergency"


class TicketStatus(StrEnum):
    submitted = "submitted"
    dispatched = "dispatched"
    accepted = "accepted"
    in_progress = "in_progress"
    resolved = "resolved"
    closed = "closed"
    cancelled = "cancelled"
    reopened = "reopened"


PREFIX = {
    TicketKind.repair: "R",
    TicketKind.dispute: "D",
    TicketKind.complaint: "C",
    TicketKind.emergency: "E",
}
CODE_OFFSET = 1000
CODE = re.compile(r"([RDCE])\s*(\d{4,})", re.I)
OPEN = (
    TicketStatus.submitted,
    TicketStatus.dispatched,
    TicketStatus.accepted,
    TicketStatus.in_progress,
    TicketStatus.reopened,
)
WORKING = (TicketStatus.dispatched, TicketStatus.accepted, TicketStatus.in_progress, TicketStatus.reopened)
STATUS_LABEL = {
    TicketStatus.submitted: "待派单",
    TicketStatus.dispatched: "已派单",
    TicketStatus.accepted: "已接单",
    TicketStatus.in_progress: "处理中",
    TicketStatus.resolved: "已完成待确认",
    TicketStatus.closed: "已结单",
    TicketStatus.cancelled: "已取消",
    TicketStatus.reopened: "已重新打开",
}
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
OUTCOMES = {"resolved": "已化解", "unresolved": "未化解", "referred": "转交职能部门"}


class Ticket(SQLModel, table=True):
    # A community's (or a grid's) tickets of a month, for the figures (models.stats): one range
    # scan. Also serves every lookup by building alone.
    __table_args__ = (Index("ix_ticket_building_created", "building_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: TicketKind = enum_field(TicketKind, TicketKind.repair, index=True)
    status: TicketStatus = enum_field(TicketStatus, TicketStatus.submitted, index=True)
    category: str = Field(default="", max_length=32, index=True)
    reporter_id: int = Field(foreign_key="person.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    room_id: int | None = Field(default=None, foreign_key="room.id")
    spot: str = ""  # a named common spot: 电梯, 楼道, 小区东门 ...
    spot_id: int | None = Field(default=None, foreign_key="spot.id")  # reported by its QR code (码上办)
    latitude: float | None = None  # the location the resident sent, if any
    longitude: float | None = None
    place: str = ""  # readable place: 3栋2单元502, 3栋电梯
    description: str = ""
    photos: list[str] = json_field(list)
    preferred_time: str = ""
    mode: str = "assign"  # assign (派单) | grab (抢单)
    assignee_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    limit_hours: int = 168
    due_at: datetime = utc_field(index=True)
    warn_at: datetime | None = utc_field(nullable=True)
    warned_at: datetime | None = utc_field(nullable=True)
    escalation_level: int = 0  # 0 none, 1 building head, 2 grid worker, 3 property lead, 4 secretary
    escalation_step_minutes: int = 720
    accepted_at: datetime | None = utc_field(nullable=True)
    resolved_at: datetime | None = utc_field(nullable=True)
    resolved_by_id: int | None = Field(default=None, foreign_key="person.id")
    resolution: str = ""
    resolution_photos: list[str] = json_field(list)
    close_at: datetime | None = utc_field(nullable=True, index=True)
    closed_at: datetime | None = utc_field(nullable=True)
    followup_at: datetime | None = utc_field(nullable=True, index=True)
    followup_sent_at: datetime | None = utc_field(nullable=True)
    resident_fixed: bool | None = None  # the resident's own answer to 「问题解决了吗？」
    last_urged_at: datetime | None = utc_field(nullable=True)
    paused_at: datetime | None = utc_field(nullable=True)  # 暂停: the time limit stops until resumed
    urge_count: int = 0
    # Disputes: the other party only as a place, never linked to a person.
    other_party: str = ""
    wants: str = ""
    mediation_record: list[dict[str, Any]] = json_field(list)
    agreement: str = ""
    outcome: str = ""  # resolved | unresolved | referred
    department: str = ""
    settled_level: str = ""  # building | community | street
    created_at: datetime = utc_field(index=True)
    updated_at: datetime = utc_field()

    @property
    def code(self) -> str:
        return f"{PREFIX[self.kind]}{(self.id or 0) + CODE_OFFSET}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class TicketEvent(SQLModel, table=True):
    __tablename__ = "ticket_event"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    action: str = Field(max_length=32)
    from_status: str = ""
    to_status: str = ""
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    # Who acted when no person did: the config token's name, or 「系统（超时督办）」 for a job.
    actor_label: str = Field(default="", max_length=120)
    target_id: int | None = Field(default=None, foreign_key="person.id")  # dispatched / transferred to
    note: str = ""
    at: datetime = utc_field()


class Rating(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("ticket_id"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    person_id: int = Field(foreign_key="person.id")
    overall: int
    speed: int
    service: int
    comment: str = ""
    created_at: datetime = utc_field()


def local_time(moment: datetime) -> str:
    """「11月24日 09:30」 in Beijing time, for chat."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def parse_code(text: str) -> int | None:
    """The ticket id in 「R1024」 (any kind prefix), or None."""
    match = CODE.search(text or "")
    if match is None:
        return None
    number = int(match.group(2)) - CODE_OFFSET
    return number if 0 < number <= MAX_INT else None  # past it: no ticket's id


def by_code(session: Session, text: str) -> Ticket | None:
    ticket_id = parse_code(text)
    if ticket_id is None:
        return None
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.code.upper() != CODE.search(text).group(0).upper().replace(" ", ""):  # type: ignore[union-attr]
        return None
    return ticket


def record(
    session: Session,
    *,
    ticket: Ticket,
    action: str,
    actor_id: int | None,
    now: datetime,
    note: str = "",
    actor_label: str = "",
) -> None:
    """An event that is not a status change (urge, mediation note, escalation, photo)."""
    session.add(
        TicketEvent(
            ticket_id=ticket.id,  # type: ignore[arg-type]
            action=action,
            from_status=ticket.status,
            to_status=ticket.status,
            actor_id=actor_id,
            actor_label="" if actor_id else actor_label[:120],
            note=note,
            at=now,
        )
    )


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, with 「…」 where it was cut (never a word cut off silently:
    「对方不配」 read as an insult where 「对方不配合」 was written)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def create_ticket(
    session: Session, *, kind: TicketKind, reporter_id: int, due_at: datetime, now: datetime, **fields: Any
) -> Ticket:
    ticket = Ticket(
        kind=kind, reporter_id=reporter_id, due_at=due_at, created_at=now, updated_at=now, **fields
    )
    session.add(ticket)
    session.flush()
    session.add(
        TicketEvent(
            ticket_id=ticket.id,  # type: ignore[arg-type]
            action="submit",
            to_status=TicketStatus.submitted,
            actor_id=reporter_id,
            note=ticket.description[:200],
            at=now,
        )
    )
    return ticket


_UNSET: Any = object()


def transition(
    session: Session,
    *,
    ticket: Ticket,
    action: str,
    to: TicketStatus,
    expected: tuple[TicketStatus, ...],
    actor_id: int | None,
    now: datetime,
    note: str = "",
    actor_label: str = "",
    assignee_is: Any = _UNSET,
    guard: dict[str, Any] | None = None,
    **values: Any,
) -> bool:
    """Compare-and-set the status (and, if given, the current assignee); True when this caller won.

    The event names the acting person (``actor_id``) or, when none, ``actor_label``; a new
    assignee is its target."""
    statement = update(Ticket).where(col(Ticket.id) == ticket.id, col(Ticket.status).in_(expected))
    if assignee_is is not _UNSET:
        column = col(Ticket.assignee_id)
        statement = statement.where(column.is_(None) if assignee_is is None else column == assignee_is)
    for name, value in (guard or {}).items():
        statement = statement.where(col(getattr(Ticket, name)) == value)
    before = ticket.status
    if not _updated(session, ticket, statement.values(status=to, updated_at=now, **values)):
        return False
    session.add(
        TicketEvent(
            ticket_id=ticket.id,  # type: ignore[arg-type]
            action=action,
            from_status=before if before in expected else expected[0],
            to_status=to,
            actor_id=actor_id,
            actor_label="" if actor_id else actor_label[:120],
            target_id=values.get("assignee_id"),
            note=note[:500],
            at=now,
        )
    )
    return True


def set_once(session: Session, *, ticket: Ticket, column: str, now: datetime, **values: Any) -> bool:
    """CAS a nullable marker column from NULL (warned_at, followup_sent_at, …); True when this caller set it."""
    target = getattr(Ticket, column)
    statement = update(Ticket).where(col(Ticket.id) == ticket.id, col(target).is_(None))
    return _updated(session, ticket, statement.values({column: now, **values}))


def _updated(session: Session, ticket: Ticket, statement: Any) -> bool:
    """Run a compare-and-set ``UPDATE`` of ``ticket``; True when it changed the row. Either way
    ``ticket`` then holds the row as it stands: the updated row comes back with the statement
    (``RETURNING``), a refresh reads it only when another transaction won."""
    columns = Ticket.__table__.columns  # type: ignore[attr-defined]
    row = session.execute(statement.returning(*columns).execution_options(synchronize_session=False)).first()
    if row is None:
        session.refresh(ticket)
        return False
    for name, value in row._mapping.items():
        set_committed_value(ticket, name, value)
    return True


def timeline(session: Session, ticket_id: int) -> list[TicketEvent]:
    return list(
        session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(col(TicketEvent.id))
        )
    )


def tickets_of(session: Session, *, reporter_id: int, limit: int = 5) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket)
            .where(Ticket.reporter_id == reporter_id)
            .order_by(col(Ticket.id).desc())
            .limit(limit)
        )
    )


def open_count(session: Session, *, person_id: int) -> int:
    rows = session.exec(
        select(Ticket.id).where(Ticket.assignee_id == person_id, col(Ticket.status).in_(WORKING))
    ).all()
    return len(rows)


def open_counts(session: Session, person_ids: Sequence[int]) -> dict[int, int]:
    """``open_count`` of each person, in one grouped query."""
    if not person_ids:
        return {}
    query = (
        select(Ticket.assignee_id, func.count())
        .where(col(Ticket.assignee_id).in_(sorted(set(person_ids))), col(Ticket.status).in_(WORKING))
        .group_by(col(Ticket.assignee_id))
    )
    counts = dict(read(session, query).all())  # type: ignore[arg-type]
    return {person_id: counts.get(person_id, 0) for person_id in person_ids}
