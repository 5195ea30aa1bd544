"""The office's queue keeps time on each ticket's own clock: a paused ticket is not late."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.settings import Settings
from models.ticket_queue import TicketFilter, count, is_late, time_left
from models.ticket_work import pause
from models.tickets import Ticket
from tests.support.tickets import file_ticket, reporter


def _counts(engine: Engine, ticket: Ticket, *, now: datetime) -> tuple[int, int]:
    """(late, due soon) for this one ticket, found by its code as the office would search it."""
    with Session(engine) as session:
        late = count(session, TicketFilter(overdue=True, q=ticket.code), now=now)
        soon = count(session, TicketFilter(due_soon=True, q=ticket.code), now=now)
    return late, soon


def _pause(engine: Engine, ticket_id: int, *, at: datetime) -> Ticket:
    with Session(engine) as session, session.begin():
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert pause(session, ticket=ticket, reason="等配件", actor_id=None, actor_label="管理员", now=at).ok
    with Session(engine) as session:
        stored = session.get(Ticket, ticket_id)
        assert stored is not None
        return stored


def test_a_paused_ticket_is_neither_late_nor_due_soon(
    engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = reporter(engine, name="张桂芳", phone="13912345678", now=now)
    ticket = file_ticket(engine, settings.tickets, reporter_id=who, at=now, category="水电")
    assert ticket.id is not None
    after = ticket.due_at + timedelta(days=2)
    assert _counts(engine, ticket, now=after) == (1, 0)
    assert _counts(engine, ticket, now=ticket.due_at - timedelta(hours=1)) == (0, 1)
    paused = _pause(engine, ticket.id, at=ticket.due_at - timedelta(hours=5))
    assert _counts(engine, ticket, now=after) == (0, 0)
    assert _counts(engine, ticket, now=ticket.due_at - timedelta(hours=1)) == (0, 0)
    assert not is_late(paused, now=after)
    assert time_left(paused, now=after) == "已暂停（剩5小时）"


def test_a_ticket_paused_after_its_deadline_stays_late(
    engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = reporter(engine, name="张桂芳", phone="13912345678", now=now)
    ticket = file_ticket(engine, settings.tickets, reporter_id=who, at=now, category="水电")
    assert ticket.id is not None
    paused = _pause(engine, ticket.id, at=ticket.due_at + timedelta(days=1))
    later = ticket.due_at + timedelta(days=5)
    assert is_late(paused, now=later) and time_left(paused, now=later) == "已暂停（超时1天）"
    assert _counts(engine, ticket, now=later) == (1, 0)
