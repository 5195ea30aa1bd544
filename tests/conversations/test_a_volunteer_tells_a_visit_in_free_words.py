"""张伟 visits 刘桂芳 (3栋1单元302) and tells how it went in his own words, without 「已走访」.

「刘奶奶家敲门没人开」 is a visit that found nobody: the urgent check goes to her building head with
her address, not an emergency at the volunteer's own flat (5栋1单元601).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.people import Person
from models.tickets import Ticket, TicketKind
from models.visit_outcomes import CHECK_CATEGORY
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def _pushes_to(session: Session, name: str) -> list[str]:
    session.rollback()
    person = session.exec(select(Person).where(Person.name == name)).one()
    rows = session.exec(
        select(OutboxMessage.text).where(OutboxMessage.person_id == person.id).order_by(col(OutboxMessage.id))
    )
    return list(rows)


def test_nobody_answering_is_an_urgent_check_at_the_elders(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    reply = wechat.send("demo-resident-zhang", "刘奶奶家敲门没人开 打电话也关机了")
    assert "紧急核查" in reply and "刘桂芳" in reply
    (check,) = observed.tickets(TicketKind.emergency)
    assert check.category == CHECK_CATEGORY and check.place.startswith("3栋1单元302")
    assert any("刘桂芳" in text for text in _pushes_to(session, "陈红梅"))  # her building head
    session.rollback()
    assert not session.exec(select(Ticket).where(col(Ticket.place).contains("5栋1单元601"))).all()


def test_a_good_visit_told_plainly_is_recorded(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    reply = wechat.send("demo-resident-zhang", "今天去看了刘奶奶 她挺好的")
    assert "已记录您对刘桂芳的走访（见到本人）" in reply
    reply = wechat.send("demo-resident-zhang", "已走访 见到了 她刚才去买菜了")
    assert "见到本人" in reply and "派单" not in reply
    assert observed.tickets(TicketKind.repair) == [] and observed.alerted() == []


def test_away_and_help_in_free_words(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    reply = wechat.send("demo-resident-zhang", "刘奶奶住院了 她女儿说下周回来")
    assert "走访已暂停" in reply
    reply = wechat.send("demo-resident-zhang", "刘奶奶说腰疼 想让人帮忙买药")
    assert "老人的需要已" in reply and observed.tickets(TicketKind.emergency) == []


def test_someone_without_a_rota_still_raises_the_alarm(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send("demo-resident-wang", "刘奶奶家敲门没人开 打电话也关机了")
    assert "请先保证安全" in reply and observed.tickets(TicketKind.emergency)


def test_a_danger_at_the_elders_is_raised_at_her_building(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send("demo-resident-zhang", "刘奶奶家冒烟了 快来人")
    assert "119" in reply
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.place.startswith("3栋") and "陈红梅" in observed.alerted()  # 3栋's head, not 5栋's
