"""The ticket state machine: legal and illegal moves, compare-and-set under threads, dispatch rules."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from threading import Barrier

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db import write_gate
from models.dispatch import accept, dispatch, resolve
from models.feedback import cancel
from models.outbox import OutboxMessage
from models.people import Person, Role
from models.routing import open_ticket
from models.sla import TicketRules
from models.tickets import Ticket, TicketEvent, TicketKind, TicketStatus, by_code, parse_code

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
RULES = TicketRules()


def _people(session: Session, *names_roles: tuple[str, Role, list[str]]) -> list[Person]:
    people = [Person(name=n, role=r, skills=s, created_at=NOW) for n, r, s in names_roles]
    session.add_all(people)
    session.flush()
    return people


def _repair(session: Session, reporter: Person, rules: TicketRules = RULES, category: str = "水电") -> Ticket:
    return open_ticket(
        session,
        rules=rules,
        kind=TicketKind.repair,
        reporter=reporter,
        now=NOW,
        category=category,
        description="漏水",
    )


def test_codes_are_prefix_plus_offset_id(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        (resident,) = _people(session, ("王", Role.resident, []))
        ticket = _repair(session, resident)
        assert ticket.code == "R1001" and parse_code("接单 r1001") == ticket.id
        assert by_code(session, "R1001") is not None and by_code(session, "D1001") is None


def test_illegal_transitions_are_refused_and_leave_no_event(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        resident, staff = _people(session, ("王", Role.resident, []), ("王师傅", Role.staff, ["水电"]))
        ticket = _repair(session, resident)
        assert ticket.status == TicketStatus.dispatched and ticket.assignee_id == staff.id
        assert not dispatch(
            session, ticket=ticket, person=staff, actor_id=None, now=NOW
        ).ok  # already dispatched
        assert not accept(
            session, ticket=ticket, person=resident, rules=RULES, now=NOW
        ).ok  # residents cannot
        assert resolve(session, ticket=ticket, actor=staff, note="好了", rules=RULES, now=NOW).ok
        assert not cancel(session, ticket=ticket, actor_id=resident.id, now=NOW).ok  # resolved: too late
        assert not resolve(session, ticket=ticket, actor=staff, note="again", rules=RULES, now=NOW).ok
        actions = [
            e.action for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
        ]
        assert actions == ["submit", "dispatch", "resolve"]


def test_assign_picks_the_skilled_worker_with_fewest_open_orders_under_the_cap(engine: Engine) -> None:
    rules = TicketRules(max_open_per_worker=1)
    with Session(engine) as session, session.begin():
        resident, a, b, _lift = _people(
            session,
            ("王", Role.resident, []),
            ("甲", Role.staff, ["水电"]),
            ("乙", Role.staff, ["水电"]),
            ("电梯工", Role.staff, ["电梯"]),
        )
        assignees = [_repair(session, resident, rules).assignee_id for _ in range(3)]
        assert assignees == [a.id, b.id, None]  # the third waits: both are at the cap
        assert session.exec(select(Ticket).where(Ticket.assignee_id.is_(None))).one().status == "submitted"  # type: ignore[union-attr]


def test_grab_mode_pushes_the_pool_and_respects_the_cap(engine: Engine) -> None:
    rules = TicketRules(dispatch_modes={"电梯": "grab"}, max_open_per_worker=1)
    with Session(engine) as session, session.begin():
        resident, a, b = _people(
            session, ("王", Role.resident, []), ("甲", Role.staff, ["电梯"]), ("乙", Role.staff, ["电梯"])
        )
        first, second = _repair(session, resident, rules, "电梯"), _repair(session, resident, rules, "电梯")
        assert first.status == TicketStatus.submitted and first.mode == "grab"
        pool = session.exec(select(OutboxMessage).where(OutboxMessage.text.startswith("【抢单】R1001"))).all()  # type: ignore[attr-defined]
        assert {row.person_id for row in pool} == {a.id, b.id}
        assert accept(session, ticket=first, person=a, rules=rules, now=NOW).ok
        assert accept(session, ticket=second, person=a, rules=rules, now=NOW).reason == "cap"
        assert accept(session, ticket=second, person=b, rules=rules, now=NOW).ok


def test_twenty_workers_grab_one_order_at_once_exactly_one_wins(engine: Engine) -> None:
    rules = TicketRules(dispatch_modes={"电梯": "grab"})
    with Session(engine) as session, session.begin():
        resident, *workers = _people(
            session, ("王", Role.resident, []), *[(f"师傅{i}", Role.staff, ["电梯"]) for i in range(20)]
        )
        ticket_id = _repair(session, resident, rules, "电梯").id
        worker_ids = [w.id for w in workers]
    barrier = Barrier(20)

    def grab(worker_id: int) -> str:
        barrier.wait()
        with write_gate(engine), Session(engine) as session, session.begin():
            ticket = session.get(Ticket, ticket_id)
            worker = session.get(Person, worker_id)
            assert ticket is not None and worker is not None
            outcome = accept(session, ticket=ticket, person=worker, rules=rules, now=NOW)
            return "won" if outcome.ok else outcome.reason

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(grab, worker_ids))
    assert results.count("won") == 1
    assert set(results) == {"won", "taken"}  # the others are told it is taken
    with Session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.status == TicketStatus.accepted
        winner = worker_ids[results.index("won")]
        assert ticket.assignee_id == winner
        grabs = session.exec(select(TicketEvent).where(TicketEvent.action == "grab")).all()
        assert len(grabs) == 1


def test_twenty_racers_without_the_gate_still_one_winner(engine: Engine) -> None:
    """The CAS alone decides (no in-process gate): on PostgreSQL row locks, on SQLite BEGIN IMMEDIATE."""
    rules = TicketRules(dispatch_modes={"电梯": "grab"})
    with Session(engine) as session, session.begin():
        resident, *workers = _people(
            session, ("王", Role.resident, []), *[(f"师傅{i}", Role.staff, ["电梯"]) for i in range(20)]
        )
        ticket_id = _repair(session, resident, rules, "电梯").id
        worker_ids = [w.id for w in workers]
    barrier = Barrier(20)

    def grab(worker_id: int) -> bool:
        barrier.wait()
        with Session(engine) as session, session.begin():
            ticket, worker = session.get(Ticket, ticket_id), session.get(Person, worker_id)
            return accept(session, ticket=ticket, person=worker, rules=rules, now=NOW).ok  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert sum(pool.map(grab, worker_ids)) == 1
