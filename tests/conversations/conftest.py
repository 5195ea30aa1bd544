"""Helpers for story tests: who was alerted, and which tickets exist."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.outbox import OutboxMessage
from models.people import Person
from models.tickets import Ticket, TicketKind


class Observed:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def alerted(self) -> list[str]:
        """Names of the people sent an emergency push, one entry per push."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Person.name)
                .join(OutboxMessage, OutboxMessage.person_id == Person.id)  # type: ignore[arg-type]
                .where(OutboxMessage.kind == "emergency")
            ).all()
        return list(rows)

    def tickets(self, kind: TicketKind) -> list[Ticket]:
        with Session(self.engine) as session:
            return list(session.exec(select(Ticket).where(Ticket.kind == kind)).all())


@pytest.fixture
def observed(engine: Engine) -> Observed:
    return Observed(engine)
