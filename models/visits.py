"""Visits to elderly people living alone (独居老人走访): the rota and its management.

Each rota pairs an elder with a volunteer and a due time. A rota can be paused (the elder is in
hospital or away: until a date, or until resumed), resumed, and reassigned to another volunteer.
What a visit found is recorded by :mod:`models.visit_records`; the reminders and the
missed-visit alerts are :mod:`models.visit_jobs`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Field, Session, SQLModel, col
from sqlmodel import select as entities

from models.base import utc_field
from models.people import Person

RESUME_DUE = timedelta(days=1)  # after a pause without a date, the next visit is due a day later


class VisitRota(SQLModel, table=True):
    __tablename__ = "visit_rota"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    elder_id: int = Field(foreign_key="person.id", index=True)  # an elderly person living alone
    volunteer_id: int = Field(foreign_key="person.id", index=True)
    every_days: int = 7
    next_due_at: datetime = utc_field(index=True)
    active: bool = True
    created_at: datetime = utc_field()
    paused_at: datetime | None = utc_field(nullable=True)  # set while paused (in hospital, away)
    paused_until: datetime | None = utc_field(nullable=True)  # the pause ends by itself then
    pause_reason: str = ""


class VisitRecord(SQLModel, table=True):
    __tablename__ = "visit_record"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    rota_id: int = Field(foreign_key="visit_rota.id", index=True)
    volunteer_id: int = Field(foreign_key="person.id", index=True)
    elder_id: int = Field(foreign_key="person.id", index=True)
    due_at: datetime = utc_field()
    visited_at: datetime = utc_field()
    note: str = ""
    concern: bool = False  # the note reported danger: responders were alerted at once
    outcome: str = Field(default="seen", max_length=16)  # models.visit_outcomes.Outcome
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")  # the check or task it opened


class RotaError(ValueError):
    """A rota change refused; ``reason`` is a short key, the message says why in English."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def running(now: datetime) -> ColumnElement[bool]:
    """Active rotas not paused at ``now`` (a pause with a date ends by itself)."""
    return (col(VisitRota.active).is_(True)) & or_(
        col(VisitRota.paused_at).is_(None), col(VisitRota.paused_until) <= now
    )


def is_paused(rota: VisitRota, now: datetime) -> bool:
    return rota.paused_at is not None and (rota.paused_until is None or rota.paused_until > now)


def _check_people(session: Session, elder_id: int, volunteer_id: int) -> None:
    if elder_id == volunteer_id:
        raise RotaError("same_person", "the volunteer cannot be the elder")
    for person_id in (elder_id, volunteer_id):
        if session.get(Person, person_id) is None:
            raise LookupError(f"person {person_id} not found")


def create_rota(
    session: Session,
    *,
    elder_id: int,
    volunteer_id: int,
    first_due_at: datetime,
    now: datetime,
    every_days: int = 7,
) -> VisitRota:
    """A new rota; the active one for the same pair is returned as it is. A past first due is refused."""
    if every_days < 1:
        raise RotaError("every_days", "every_days must be at least 1")
    _check_people(session, elder_id, volunteer_id)
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
    if first_due_at < now:
        raise RotaError(
            "first_due_in_past",
            f"first_due_at {first_due_at.isoformat()} is already past (now {now.isoformat()})",
        )
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
    """The volunteer's active rotas, paused ones included, most due first."""
    query = (
        select(VisitRota)
        .where(col(VisitRota.volunteer_id) == volunteer_id, col(VisitRota.active))
        .order_by(col(VisitRota.next_due_at), col(VisitRota.id))
    )
    return list(session.execute(query).scalars())


def rota_query(
    *, volunteer_id: int | None = None, elder_id: int | None = None, state: str | None = None, now: datetime
) -> Any:
    """Rotas for a list, by volunteer, elder and state (running, paused, stopped), most due first."""
    query = entities(VisitRota).order_by(col(VisitRota.next_due_at), col(VisitRota.id))
    if volunteer_id is not None:
        query = query.where(col(VisitRota.volunteer_id) == volunteer_id)
    if elder_id is not None:
        query = query.where(col(VisitRota.elder_id) == elder_id)
    if state == "running":
        query = query.where(running(now))
    elif state == "paused":
        query = query.where(col(VisitRota.active), ~running(now))
    elif state == "stopped":
        query = query.where(col(VisitRota.active).is_(False))
    return query


def pause_rota(
    session: Session, *, rota: VisitRota, now: datetime, until: datetime | None = None, reason: str = ""
) -> VisitRota:
    """Pause (in hospital, away): until ``until`` — the next visit is then due — or until resumed."""
    if not rota.active:
        raise RotaError("stopped", "the rota is stopped")
    if until is not None and until <= now:
        raise RotaError("until_in_past", f"paused_until {until.isoformat()} is not in the future")
    rota.paused_at, rota.paused_until, rota.pause_reason = now, until, reason[:200]
    if until is not None:
        rota.next_due_at = until
    session.add(rota)
    session.flush()
    return rota


def resume_rota(session: Session, *, rota: VisitRota, now: datetime) -> VisitRota:
    """End a pause now; a visit that fell due meanwhile is due a day from now."""
    if not rota.active:
        raise RotaError("stopped", "the rota is stopped")
    if rota.paused_at is None:
        return rota
    rota.paused_at, rota.paused_until, rota.pause_reason = None, None, ""
    rota.next_due_at = max(rota.next_due_at, now + RESUME_DUE)
    session.add(rota)
    session.flush()
    return rota


def reassign_rota(session: Session, *, rota: VisitRota, volunteer_id: int) -> VisitRota:
    """Another volunteer takes the rota over, with its due time as it is."""
    if not rota.active:
        raise RotaError("stopped", "the rota is stopped")
    _check_people(session, rota.elder_id, volunteer_id)
    clash = session.execute(
        select(VisitRota.id).where(
            col(VisitRota.elder_id) == rota.elder_id,
            col(VisitRota.volunteer_id) == volunteer_id,
            col(VisitRota.active),
            col(VisitRota.id) != rota.id,
        )
    ).first()
    if clash is not None:
        raise RotaError("duplicate", f"the volunteer already has rota {clash[0]} for this elder")
    rota.volunteer_id = volunteer_id
    session.add(rota)
    session.flush()
    return rota
