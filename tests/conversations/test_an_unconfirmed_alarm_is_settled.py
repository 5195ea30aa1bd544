"""Partial evidence raises a 待核实 alarm with one safety question; the answer settles it."""

from __future__ import annotations

from sqlmodel import Session, select

from models.outbox import OutboxMessage
from models.tickets import TicketKind, TicketStatus
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
SUSPECTED = "插座有点发烫 怎么办 好担心"


def _texts(observed: Observed) -> list[str]:
    with Session(observed.engine) as session:
        return list(session.exec(select(OutboxMessage.text).where(OutboxMessage.kind == "emergency")).all())


def test_no_danger_stands_the_alarm_down(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    first = wechat.send(WANG, SUSPECTED)
    assert "有人受伤" in first  # the one safety question
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.category == "待核实"
    assert any(text.startswith("【紧急·待核实】") for text in _texts(observed))
    reply = wechat.send(WANG, "没有 就是有点热 已经拔了插头")
    assert "不用赶来" in reply
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.status == TicketStatus.cancelled
    assert any(text.startswith("【解除】") for text in _texts(observed))


def test_yes_confirms_it(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    wechat.send(WANG, SUSPECTED)
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.category == "待核实"
    assert "按紧急情况" in wechat.send(WANG, "有")
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.category == "紧急" and ticket.status != TicketStatus.cancelled
    assert any(text.startswith("【紧急·已确认】") for text in _texts(observed))


def test_a_plain_alarm_after_it_confirms_the_same_incident(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, SUSPECTED)
    reply = wechat.send(WANG, "插座冒火星了 快来")
    assert "已记入您的紧急求助 E1001" in reply and "119" in reply
    (ticket,) = observed.tickets(TicketKind.emergency)  # one incident, now confirmed
    assert ticket.category == "紧急"
