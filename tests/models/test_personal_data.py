"""A resident's data: the export holds their records; erasure removes what is personal and keeps
the community's records anonymous, with every tally and statistic unchanged."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.access import AuditEntry
from models.activities import Signup, SignupStatus
from models.actors import CLI, Someone
from models.binding import bind_room
from models.conversation import Conversation
from models.erasure import ErasureRefused, erase_person
from models.inbound import InboundMessage
from models.operations import Operation, OperationStatus
from models.outbox import OutboxMessage
from models.people import ERASED_LABEL, BindingRequest, Person, describe, get_or_create_resident
from models.personal_data import export_person, summary
from models.points import balance, ranking
from models.proposals import Ballot, ProposalComment
from models.residency_decisions import decide
from models.rewards import Redemption, RedemptionStatus, Reward
from models.scrub import sweep_erasures
from models.tickets import Rating, Ticket, TicketEvent, TicketStatus
from tests.support.personal import PHONE, WANG, World, build, close_votes, community_figures, person


@pytest.fixture
def world(engine: Engine, clock: ManualClock, demo: None) -> World:
    built = build(engine, clock.now())
    clock.advance(timedelta(hours=2))
    close_votes(engine, clock.now())  # the second proposal is now closed, its result stored
    return built


def _erase(engine: Engine, person_id: int, clock: ManualClock, *, sweep: bool = True) -> int | None:
    """Erase, then (as the scheduler would) sweep the outbox; the sweep's operation id."""
    with Session(engine) as session, session.begin():
        target = session.get(Person, person_id)
        assert target is not None
        report = erase_person(session, person=target, now=clock.now(), by=CLI)
    while sweep:
        with Session(engine) as session, session.begin():
            sweep_erasures(session, now=clock.now(), chunk=3)
            sweep = _running(session)
    return report.sweep_operation_id


def _running(session: Session) -> bool:
    return bool(session.exec(select(Operation).where(Operation.status == OperationStatus.running)).all())


def test_the_export_holds_everything_about_the_person(
    engine: Engine, world: World, clock: ManualClock
) -> None:
    with Session(engine) as session:
        data = export_person(session, person(engine, world.person_id), now=clock.now())
    json.dumps(data)  # plain data all the way down
    assert data["profile"]["name"] == "王秀兰" and data["profile"]["phone"] == PHONE
    assert data["profile"]["home"] == "3栋2单元502" and data["profile"]["is_owner"]
    codes = {t["code"]: t for t in data["tickets"]}
    assert len(codes) == 3
    leak = next(t for t in data["tickets"] if PHONE in t["description"])
    assert leak["timeline"][0]["by"] == "本人" and leak["status"] == "已派单"
    rated = next(t for t in data["tickets"] if t["rating"])
    assert rated["rating"]["overall"] == 5 and rated["resolution"] == "已更换门锁"
    actors = {event["by"] for ticket in data["tickets"] for event in ticket["timeline"]}
    assert actors == {"本人", "工作人员", "系统"}  # who acted, by role: no staff account ids
    assert {b["proposal"] for b in data["ballots"]} == {"P1「加装电梯」", "P2「更换门禁」"}
    assert data["opinions"][0]["text"].startswith("同意")
    assert [s["activity"] for s in data["signups"]] == ["环境清扫", "义诊"]
    assert data["points"]["balance"] == 3  # 5 earned, 2 spent
    assert data["redemptions"][0]["reward"] == "毛巾" and data["redemptions"][0]["status"] == "待领取"
    assert {m["text"] for m in data["messages"]["items"]} == {"厨房水管漏水了", f"我的电话是{PHONE}"}
    assert data["open_conversation"][0]["form"] == "repair"
    assert any(p["text"] == "王秀兰您好" for p in data["pushes"])
    counts = summary(data)
    assert counts["tickets"] == 3 and counts["disputes"] == 1 and counts["ballots"] == 2
    assert counts["messages"] == 2 and counts["points"] == 3


def test_erasure_removes_the_personal_data(engine: Engine, world: World, clock: ManualClock) -> None:
    _erase(engine, world.person_id, clock)
    with Session(engine) as session:
        tomb = session.get(Person, world.person_id)
        assert tomb is not None and tomb.erased_at is not None
        assert (tomb.openid, tomb.name, tomb.phone, tomb.room_id, tomb.is_owner) == (
            None,
            "",
            "",
            None,
            False,
        )
        assert describe(session, tomb) == ERASED_LABEL
        assert session.exec(select(InboundMessage).where(InboundMessage.user_id == WANG)).all() == []
        assert session.exec(select(Conversation).where(Conversation.user_key == f"mp:{WANG}")).all() == []
        assert session.exec(select(BindingRequest).where(BindingRequest.person_id == tomb.id)).all() == []
        to_her = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == tomb.id)).all()
        assert all(row.status == "sent" or row.status == "sending" for row in to_her)
        assert all(row.text == "" for row in to_her)
        # Her number and name are nowhere in the texts the community keeps.
        texts = [t.description + t.wants for t in session.exec(select(Ticket))]
        texts += [e.note for e in session.exec(select(TicketEvent))]
        texts += [r.comment for r in session.exec(select(Rating))]
        texts += [c.text for c in session.exec(select(ProposalComment))]
        texts += [m.text for m in session.exec(select(OutboxMessage))]
        assert not [t for t in texts if PHONE in t or "王秀兰" in t]
        assert not [t for t in texts if "0351-6099999" in t]  # any number in her own words goes
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "person.erase")).one()
        assert audit.target == f"person:{tomb.id}" and WANG not in json.dumps(audit.detail)


def test_pushes_to_staff_are_swept_afterwards_and_the_words_forgotten(
    engine: Engine, world: World, clock: ManualClock
) -> None:
    operation_id = _erase(engine, world.person_id, clock, sweep=False)
    with Session(engine) as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None and operation.status == OperationStatus.running
        assert PHONE in operation.detail["phones"]  # only while the sweep runs
        quoting = [m.text for m in session.exec(select(OutboxMessage)) if PHONE in m.text]
        assert quoting  # not yet: the chat transaction did not read the whole outbox
    rounds = 0
    while True:
        with Session(engine) as session, session.begin():
            sweep_erasures(session, now=clock.now(), chunk=5)
            rounds += 1
            if not _running(session):
                break
    assert rounds > 1  # in chunks, a transaction each
    with Session(engine) as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None and operation.status == OperationStatus.done
        assert operation.detail == {"person_id": world.person_id, "cleaned": len(quoting)}
        assert not [
            m.text for m in session.exec(select(OutboxMessage)) if PHONE in m.text or "王秀兰" in m.text
        ]


def test_erasure_keeps_every_tally_and_statistic(engine: Engine, world: World, clock: ManualClock) -> None:
    before = community_figures(engine, world, clock.now())
    assert before["running"].voted_owners == 4 and before["closed_result"]["passed"] is not None
    _erase(engine, world.person_id, clock)
    after = community_figures(engine, world, clock.now())
    assert after == before
    with Session(engine) as session:
        # The ballots are still there, tied to the room rather than to her.
        ballots = session.exec(select(Ballot).where(col(Ballot.person_id) == world.person_id)).all()
        assert len(ballots) == 2 and {b.owner for b in ballots} == {ballots[0].owner}
        assert ballots[0].owner.startswith("r")


def test_an_open_ticket_stays_open_and_staff_can_close_it(
    engine: Engine, world: World, clock: ManualClock
) -> None:
    _erase(engine, world.person_id, clock)
    from models.dispatch import resolve
    from models.people import person_by_openid
    from tests.support.personal import RULES

    with Session(engine) as session, session.begin():
        ticket = session.get(Ticket, world.open_ticket)
        assert ticket is not None and ticket.status == TicketStatus.dispatched
        assert ticket.place == "3栋2单元502" and "***" in ticket.description
        staff = person_by_openid(session, "demo-staff-wang")
        assert resolve(session, ticket=ticket, actor=staff, note="已修好", rules=RULES, now=clock.now()).ok
        assert ticket.status == TicketStatus.resolved


def test_points_are_forfeited_and_pending_redemptions_cancelled(
    engine: Engine, world: World, clock: ManualClock
) -> None:
    with Session(engine) as session:
        stock_before = session.exec(select(Reward.stock).where(Reward.name == "毛巾")).one()
    _erase(engine, world.person_id, clock)
    with Session(engine) as session:
        assert balance(session, person_id=world.person_id) == 0
        order = session.exec(select(Redemption).where(Redemption.person_id == world.person_id)).one()
        assert order.status == RedemptionStatus.cancelled
        assert session.exec(select(Reward.stock).where(Reward.name == "毛巾")).one() == stock_before + 1
        ranked = ranking(session, now=clock.now(), monthly=False, limit=100)
        assert world.person_id not in [row.person_id for row in ranked]
        signups = {s.status for s in session.exec(select(Signup).where(Signup.person_id == world.person_id))}
        assert signups == {SignupStatus.attended, SignupStatus.cancelled}  # the past one stays


def test_erasure_is_idempotent_and_irreversible(engine: Engine, world: World, clock: ManualClock) -> None:
    _erase(engine, world.person_id, clock)
    with Session(engine) as session:
        first = export_person(session, person(engine, world.person_id), now=clock.now())
    clock.advance(timedelta(minutes=5))
    with Session(engine) as session, session.begin():
        tomb = session.get(Person, world.person_id)
        assert tomb is not None
        report = erase_person(session, person=tomb, now=clock.now())
        assert report.already and report.counts == {}
    with Session(engine) as session:
        again = export_person(session, person(engine, world.person_id), now=clock.now())
        assert {k: v for k, v in again.items() if k != "generated_at"} == {
            k: v for k, v in first.items() if k != "generated_at"
        }
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "person.erase")).all()) == 1


def test_the_same_openid_later_is_a_brand_new_resident(
    engine: Engine, world: World, clock: ManualClock
) -> None:
    _erase(engine, world.person_id, clock)
    with Session(engine) as session, session.begin():
        newcomer = get_or_create_resident(session, openid=WANG, now=clock.now())
        assert newcomer.id != world.person_id and newcomer.name == "" and newcomer.room_id is None
        assert (
            bind_room(session, person=newcomer, building="3", unit="2", room="502", now=clock.now()).outcome
            == "claimed"
        )
        assert session.exec(select(Ticket).where(Ticket.reporter_id == newcomer.id)).all() == []


def test_office_roles_are_refused(engine: Engine, demo: None, clock: ManualClock) -> None:
    with Session(engine) as session, session.begin():
        staff = session.exec(select(Person).where(Person.openid == "demo-staff-wang")).one()
        with pytest.raises(ErasureRefused):
            erase_person(session, person=staff, now=clock.now())


def _proposal(session: Session, clock: ManualClock) -> int:
    """A vote open now for the owners of 3栋2单元."""
    from models.proposals import create_proposal

    proposal = create_proposal(
        session, title="改造车棚", body="", matter=8, votes_close_at=clock.now() + timedelta(days=3),
        now=clock.now(), scope={"units": ["3-2"]},
    )  # fmt: skip
    session.flush()
    return proposal.id  # type: ignore[return-value]


def _tally(engine: Engine, proposal_id: int) -> object:
    from models.ballots import current_tally
    from models.proposals import Proposal

    with Session(engine) as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None
        return current_tally(session, proposal)


def test_an_owner_of_several_rooms_keeps_one_anonymous_identity(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    from models.ballots import vote_in_chat
    from models.community import find_room
    from models.ownership import RoomOwner, set_owner

    with Session(engine, expire_on_commit=False) as session, session.begin():
        wang = session.exec(select(Person).where(Person.openid == WANG)).one()
        found = find_room(session, building="3", unit="2", room="602")
        assert found is not None
        set_owner(session, room_id=found[1].id, person_id=wang.id)  # she also owns 602
        proposal_id = _proposal(session, clock)
        from models.proposals import Proposal

        vote_in_chat(
            session, proposal=session.get(Proposal, proposal_id), person=wang, choice="agree", now=clock.now()
        )  # type: ignore[arg-type]
    before = _tally(engine, proposal_id)
    assert before.voted_owners == 1 and before.voted_area > 0  # type: ignore[attr-defined]
    _erase(engine, wang.id, clock)  # type: ignore[arg-type]
    assert _tally(engine, proposal_id) == before
    with Session(engine) as session:
        recorded = session.exec(select(RoomOwner).where(RoomOwner.person_id == wang.id)).all()
        assert len(recorded) == 2  # both rooms, under the anonymous tombstone


def test_a_room_ballot_from_before_the_binding_does_not_come_back(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    from models.ballots import enter_paper_ballot, vote_in_chat
    from models.proposals import Proposal

    with Session(engine, expire_on_commit=False) as session, session.begin():
        proposal_id = _proposal(session, clock)
        # 3栋2单元602 has no owner yet: a paper ballot is entered for the room...
        enter_paper_ballot(
            session, proposal_id=proposal_id, building="3", unit="2", room="602", choice="disagree",
            entered_by="admin", now=clock.now(),
        )  # fmt: skip
        # ...then its owner binds in chat and votes the other way: theirs counts.
        owner = get_or_create_resident(session, openid="new-owner", now=clock.now())
        claimed = bind_room(session, person=owner, building="3", unit="2", room="602", now=clock.now())
        assert claimed.outcome == "claimed"
        decide(
            session,
            residency_id=claimed.request_id,
            approve=True,
            by="楼栋长",
            actor=Someone(tag="test", label="测试"),
            now=clock.now(),
        )  # type: ignore[arg-type]
        vote_in_chat(
            session,
            proposal=session.get(Proposal, proposal_id),
            person=owner,
            choice="agree",
            now=clock.now(),
        )  # type: ignore[arg-type]
    before = _tally(engine, proposal_id)
    assert before.agree_owners == 1  # type: ignore[attr-defined]
    _erase(engine, owner.id, clock)  # type: ignore[arg-type]
    assert _tally(engine, proposal_id) == before
    with Session(engine) as session:
        ballots = session.exec(select(Ballot).where(Ballot.proposal_id == proposal_id)).all()
        assert [(b.owner.startswith("r"), b.choice) for b in ballots] == [(True, "agree")]


def test_a_household_member_leaves_the_owners_votes_alone(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        member = get_or_create_resident(session, openid="daughter", now=clock.now())
        claimed = bind_room(session, person=member, building="3", unit="2", room="502", now=clock.now())
        assert claimed.reason == "member"  # the flat has a verified owner
        decide(
            session,
            residency_id=claimed.request_id,
            approve=True,
            by="楼栋长",
            actor=Someone(tag="test", label="测试"),
            now=clock.now(),
        )  # type: ignore[arg-type]
        proposal_id = _proposal(session, clock)
    before = _tally(engine, proposal_id)
    _erase(engine, member.id, clock)  # type: ignore[arg-type]
    assert _tally(engine, proposal_id) == before
    with Session(engine) as session:
        wang = session.exec(select(Person).where(Person.openid == WANG)).one()
        assert wang.is_owner and wang.room_id is not None


def test_the_scheduler_runs_the_sweep() -> None:
    from scheduler.runner import discover

    assert "sweep_erasures" in discover()
