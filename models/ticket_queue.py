"""The office's ticket queue: filters, the urgent-first order, pages with a total, and today's counts.

One filter (:class:`TicketFilter`) serves the console list, its .xlsx export and the home page's
counts, so a count on the home page and the list it links to always agree. The order puts open
emergencies first, then overdue work, then what is due soonest; finished work comes after, newest
first. Everything is counted and paged in the database. A paused ticket's clock stands still
(暂停: ``Ticket.paused_at``): it is late only if it was late when paused, and it is never "due soon".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_
from sqlmodel import Session, col, select

from models.base import LOCAL_TZ
from models.community import Building
from models.people import Person
from models.tickets import OPEN, Ticket, TicketKind, TicketStatus, parse_code

UNASSIGNED = (TicketStatus.submitted, TicketStatus.reopened)
SOON = timedelta(hours=2)
PAGE_SIZE = 50


@dataclass(frozen=True)
class TicketFilter:
    """What the list shows. ``state``: open, all, a status, or ``waiting`` (unassigned, 待派单)."""

    state: str = "open"
    kind: str = ""
    building: str = ""  # the building's number
    handler: int | None = None
    overdue: bool = False
    due_soon: bool = False  # open and due within two hours, not yet late
    since: date | None = None  # created on or after this local day
    until: date | None = None  # created on or before this local day
    q: str = ""  # 单号, the reporter's name or phone, or a room / place

    def with_(self, **changes: Any) -> TicketFilter:
        return replace(self, **changes)


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def _search(q: str) -> Any:
    ticket_id = parse_code(q)
    if ticket_id is not None:
        return col(Ticket.id) == ticket_id
    reporters = select(Person.id).where(
        or_(col(Person.name).contains(q, autoescape=True), col(Person.phone).contains(q, autoescape=True))
    )
    return or_(
        col(Ticket.reporter_id).in_(reporters),
        col(Ticket.place).contains(q, autoescape=True),
        col(Ticket.description).contains(q, autoescape=True),
    )


def conditions(
    session: Session, f: TicketFilter, *, now: datetime, building_ids: frozenset[int] | None
) -> list[Any]:
    """The WHERE clauses of ``f`` for someone who sees ``building_ids`` (None: every building)."""
    where: list[Any] = []
    is_open = col(Ticket.status).in_(OPEN)
    if f.state == "open":
        where.append(is_open)
    elif f.state == "waiting":
        where += [  # emergencies aside: everyone on duty was alerted and the first to 接单 takes it
            col(Ticket.status).in_(UNASSIGNED),
            col(Ticket.assignee_id).is_(None),
            Ticket.kind != TicketKind.emergency,
        ]
    elif f.state in TicketStatus.__members__:
        where.append(Ticket.status == TicketStatus(f.state))
    if f.kind in TicketKind.__members__:
        where.append(Ticket.kind == TicketKind(f.kind))
    if f.building:
        numbers = select(Building.id).where(Building.number == f.building)
        where.append(col(Ticket.building_id).in_(numbers))
    if building_ids is not None:
        where.append(col(Ticket.building_id).in_(sorted(building_ids)))
    if f.handler is not None:
        where.append(Ticket.assignee_id == f.handler)
    if f.overdue:
        where += [is_open, late(now)]
    if f.due_soon:
        running = col(Ticket.paused_at).is_(None)
        where += [is_open, running, col(Ticket.due_at) >= now, col(Ticket.due_at) < now + SOON]
    if f.since is not None:
        where.append(col(Ticket.created_at) >= _local_start(f.since))
    if f.until is not None:
        where.append(col(Ticket.created_at) < _local_start(f.until + timedelta(days=1)))
    if f.q.strip():
        where.append(_search(f.q.strip()))
    return where


def late(now: datetime) -> Any:
    """SQL: past the time limit, on the ticket's own clock (stopped while it is paused)."""
    paused = col(Ticket.paused_at)
    return or_(
        and_(paused.is_(None), col(Ticket.due_at) < now),
        and_(paused.is_not(None), col(Ticket.due_at) < paused),
    )


def is_late(ticket: Ticket, *, now: datetime) -> bool:
    """Open and past the time limit, on the ticket's own clock (stopped while it is paused)."""
    return ticket.is_open and ticket.due_at < (ticket.paused_at or now)


def urgent_first(now: datetime) -> list[Any]:
    """ORDER BY: open emergencies, then overdue, then open by due time, then finished newest first."""
    is_open = col(Ticket.status).in_(OPEN)
    emergency = case((and_(is_open, Ticket.kind == TicketKind.emergency), 0), else_=1)
    overdue = case((and_(is_open, late(now)), 0), else_=1)
    open_first = case((is_open, 0), else_=1)
    due = case((is_open, Ticket.due_at), else_=None)
    return [emergency, overdue, open_first, due, col(Ticket.created_at).desc(), col(Ticket.id).desc()]


def _query(
    session: Session, f: TicketFilter, *, now: datetime, building_ids: frozenset[int] | None
) -> Select[Any]:
    return select(Ticket).where(*conditions(session, f, now=now, building_ids=building_ids))


def count(
    session: Session, f: TicketFilter, *, now: datetime, building_ids: frozenset[int] | None = None
) -> int:
    where = conditions(session, f, now=now, building_ids=building_ids)
    return session.exec(select(func.count()).select_from(Ticket).where(*where)).one()  # type: ignore[call-overload]


def page_of(
    session: Session,
    f: TicketFilter,
    *,
    now: datetime,
    building_ids: frozenset[int] | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> tuple[list[Ticket], int]:
    """One page of the filtered tickets, urgent first, and how many match in all."""
    total = count(session, f, now=now, building_ids=building_ids)
    query = _query(session, f, now=now, building_ids=building_ids).order_by(*urgent_first(now))
    rows = session.exec(query.offset((max(page, 1) - 1) * size).limit(size)).all()  # type: ignore[call-overload]
    return list(rows), total


def all_of(
    session: Session, f: TicketFilter, *, now: datetime, building_ids: frozenset[int] | None = None
) -> list[Ticket]:
    """Every filtered ticket in the list's order (for an export)."""
    query = _query(session, f, now=now, building_ids=building_ids).order_by(*urgent_first(now))
    return list(session.exec(query))  # type: ignore[call-overload]


def time_left(ticket: Ticket, *, now: datetime) -> str:
    """「剩3小时」, 「超时2天」, 「剩40分钟」 for open work (「已暂停（剩3小时）」 while paused); "" for
    finished work."""
    if not ticket.is_open:
        return ""
    seconds = (ticket.due_at - (ticket.paused_at or now)).total_seconds()
    amount = abs(seconds)
    if amount >= 86400:
        words = f"{int(amount // 86400)}天"
    elif amount >= 3600:
        words = f"{int(amount // 3600)}小时"
    else:
        words = f"{max(int(amount // 60), 1)}分钟"
    left = f"剩{words}" if seconds >= 0 else f"超时{words}"
    return f"已暂停（{left}）" if ticket.paused_at is not None else left


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def today_filters(now: datetime) -> list[tuple[str, str, TicketFilter]]:
    """The home page's 「现在要处理的」: (key, label, filter) for each count."""
    return [
        ("emergency", "紧急未结", TicketFilter(kind=TicketKind.emergency.value)),
        ("overdue", "已超时", TicketFilter(overdue=True)),
        ("due_soon", "2小时内到期", TicketFilter(due_soon=True)),
        ("waiting", "待派单", TicketFilter(state="waiting")),
        ("new_today", "今日新增", TicketFilter(state="all", since=local_today(now))),
    ]


def month_range(month: str) -> tuple[date, date]:
    """The first and last local day of "2026-11"."""
    year, number = int(month[:4]), int(month[5:7])
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)
