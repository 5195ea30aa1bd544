"""A resident with a bit of everything on record, for the personal-data tests.

王秀兰 (demo-resident-wang, owner of 3栋2单元502) has: an open repair whose description holds her
phone number, a closed and rated repair, a dispute, a ballot in a running vote and one in a
closed vote, an opinion, an attended activity (points), a sign-up for an upcoming one, a pending
redemption, messages in the inbound log, a half-filled form and a push not yet sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.activities import create_activity, sign_up
from models.attendance import mark_attended
from models.ballots import anonymised_detail, close_due, current_tally, enter_paper_ballot, vote_in_chat
from models.conversation import ConversationState, save_state
from models.dispatch import accept, resolve
from models.feedback import rate
from models.inbound import record_inbound
from models.outbox import enqueue
from models.people import Person, home_of, person_by_openid
from models.proposals import add_comment, create_proposal
from models.rewards import create_reward, redeem
from models.routing import open_ticket
from models.sla import TicketRules
from models.stats import compute
from models.tickets import Ticket, TicketKind

WANG = "demo-resident-wang"
PHONE = "13803510001"
RULES = TicketRules()


@dataclass
class World:
    person_id: int
    open_ticket: int
    closed_ticket: int
    dispute: int
    running: int  # proposal ids
    closed: int


def build(engine: Engine, now: datetime) -> World:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        wang = person_by_openid(session, WANG)
        staff = person_by_openid(session, "demo-staff-wang")
        assert wang is not None and staff is not None
        found = home_of(session, wang)
        assert found is not None
        home = {"building_id": found[0].id, "place": "3栋2单元502"}
        leak = open_ticket(
            session,
            rules=RULES,
            kind=TicketKind.repair,
            reporter=wang,
            now=now,
            category="水电",
            description=f"厨房水管漏水，联系我 {PHONE} 或 0351-6099999",
            room_id=wang.room_id,
            **home,
        )
        door = open_ticket(
            session, rules=RULES, kind=TicketKind.repair, reporter=wang, now=now, category="门窗",
            description="防盗门关不上", **home,
        )  # fmt: skip
        accept(session, ticket=door, person=staff, rules=RULES, now=now)
        resolve(session, ticket=door, actor=staff, note="已更换门锁", rules=RULES, now=now)
        rate(
            session, ticket=door, person=wang, overall=5, speed=4, service=5, comment=f"好，{PHONE}", now=now
        )
        dispute = open_ticket(
            session, rules=RULES, kind=TicketKind.dispute, reporter=wang, now=now,
            description="楼上装修太吵", other_party="3栋2单元602", wants="晚上别施工", **home,
        )  # fmt: skip

        closes = now + timedelta(days=7)
        running = create_proposal(
            session,
            title="加装电梯",
            body="",
            matter=7,
            votes_close_at=closes,
            now=now,
            scope={"units": ["3-2"]},
        )
        vote_in_chat(session, proposal=running, person=wang, choice="agree", now=now)
        for room in ("101", "102", "201"):
            enter_paper_ballot(
                session, proposal_id=running.id, building="3", unit="2", room=room,  # type: ignore[arg-type]
                choice="disagree", entered_by="admin", now=now,
            )  # fmt: skip
        add_comment(session, proposal=running, person=wang, text=f"同意，有事打我 {PHONE}", now=now)
        closed = create_proposal(
            session, title="更换门禁", body="", matter=9, votes_close_at=now + timedelta(hours=1), now=now,
            scope={"units": ["3-2"]},
        )  # fmt: skip
        vote_in_chat(session, proposal=closed, person=wang, choice="agree", now=now)

        past = create_activity(
            session, title="环境清扫", kind="环境卫生", starts_at=now - timedelta(days=2), place="小区广场",
            capacity=10, points=5, now=now - timedelta(days=3),
        )  # fmt: skip
        mark_attended(session, activity=past, person_id=wang.id, by="admin", now=now, walk_in=True)  # type: ignore[arg-type]
        soon = create_activity(
            session, title="义诊", kind="义诊", starts_at=now + timedelta(days=2), place="活动室",
            capacity=1, points=2, now=now,
        )  # fmt: skip
        sign_up(session, activity_id=soon.id, person=wang, now=now)  # type: ignore[arg-type]
        towel = create_reward(session, name="毛巾", cost=2, stock=3, now=now)
        redeem(session, reward_id=towel.id, person_id=wang.id, now=now)  # type: ignore[arg-type]

        for number, text in enumerate(["厨房水管漏水了", f"我的电话是{PHONE}"]):
            record_inbound(
                session,
                dedupe_key=f"mp:msg:{number}",
                channel="mp",
                user_id=WANG,
                msg_type="text",
                text=text,
                raw={"FromUserName": WANG},
                replies=[],
                received_at=now,
            )
        state = ConversationState(user_key=f"mp:{WANG}", form="repair", slots={"category": "水电"})
        save_state(session, state=state, now=now)
        enqueue(
            session,
            idempotency_key="test:wang:pending",
            person_id=wang.id,
            kind="notice",
            text="王秀兰您好",
            now=now,
        )
        session.flush()
        ids = (leak.id, door.id, dispute.id, running.id, closed.id)
        return World(wang.id, *ids)  # type: ignore[arg-type]


def close_votes(engine: Engine, now: datetime) -> None:
    with Session(engine) as session, session.begin():
        close_due(session, now=now)


def community_figures(engine: Engine, world: World, now: datetime) -> dict[str, Any]:
    """What the community sees: tallies, published vote detail, ticket statistics."""
    with Session(engine) as session:
        from models.proposals import Proposal

        running = session.get(Proposal, world.running)
        closed = session.get(Proposal, world.closed)
        assert running is not None and closed is not None
        return {
            "running": current_tally(session, running),
            "running_detail": anonymised_detail(session, running),
            "closed_result": closed.result,
            "closed_detail": anonymised_detail(session, closed),
            "stats": compute(session, now=now, weights=RULES.metric_weights),
            "tickets": sorted(
                (t.id, t.status, t.kind, t.category, t.building_id, t.created_at)
                for t in session.exec(select(Ticket))
            ),
        }


def person(engine: Engine, person_id: int) -> Person:
    with Session(engine) as session:
        found = session.get(Person, person_id)
        assert found is not None
        return found
