"""A short realistic run through the real app: every message is answered, none fails (not timed)."""

from __future__ import annotations

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.demo_generate import generate_community
from models.onboarding import import_community
from models.people import Person
from models.proposals import Ballot
from models.tickets import Ticket, TicketKind
from tests.support.traffic import Traffic, open_the_week, step_xml
from tests.support.wechat import WeChatSim


def test_every_message_of_a_realistic_run_gets_an_answer(
    engine: Engine, clock: ManualClock, wechat: WeChatSim
) -> None:
    community = generate_community(60, seed=4)
    with Session(engine) as session, session.begin():
        import_community(session, data=community, now=clock.now())
        vote = open_the_week(session, now=clock.now())
    traffic = Traffic(community, seed=9, first_contacts=0.08)
    traffic.proposal = vote
    unanswered = []
    for lane in traffic.lanes(6, 25):
        for openid, step in lane:
            clock.advance(seconds=20)
            response = wechat.post(step_xml(openid, step, wechat.now(), wechat.next_msg_id()))
            assert response.status_code == 200, (openid, step, response.text)
            reply = wechat.reply(response)
            if not (reply and reply.get("Content")):
                unanswered.append((openid, step))
    assert unanswered == []
    with Session(engine) as session:
        assert session.exec(
            select(func.count()).select_from(Ticket).where(Ticket.kind == TicketKind.repair)
        ).one()
        assert session.exec(select(func.count()).select_from(Ballot)).one()
        newcomers = select(func.count()).select_from(Person).where(Person.openid.like("new-%"))  # type: ignore[union-attr]
        assert session.exec(newcomers).one() == traffic.tally["first_contacts"]
