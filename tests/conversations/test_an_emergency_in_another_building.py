"""王秀兰 lives in 3栋 and reports someone trapped in 1栋's lift: 1栋's head is alerted."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def test_the_building_named_is_alerted(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    reply = wechat.send("demo-resident-wang", "1栋电梯里困了个老人 按铃没人应")
    assert "不要扒门" in reply and "96333" in reply
    alerted = observed.alerted()
    assert "马国庆" in alerted  # 1栋's building head
    assert "刘志强" in alerted  # 第一网格's grid worker
    assert "陈红梅" not in alerted  # 3栋 is not where it happens
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.place.startswith("1")


def test_an_unbound_reporter_is_asked_how_to_call_back(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send("passer-by", "小区门口有个老人晕倒了")
    assert "120" in reply and "电话" in reply.split("\n")[-1]
    assert "具体在哪里" in wechat.send("passer-by", "13912345678")
    assert "转告处置人员" in wechat.send("passer-by", "就在东门保安亭旁边")
    assert sum("【紧急·补充】" in text for text in _pushes(observed)) >= 3


def _pushes(observed: Observed) -> list[str]:
    from sqlmodel import Session, select

    from models.outbox import OutboxMessage

    with Session(observed.engine) as session:
        return list(session.exec(select(OutboxMessage.text).where(OutboxMessage.kind == "emergency")).all())


def test_an_unbound_reporter_names_a_building_and_leaves_a_number(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send("passer-by", "3号楼电梯里困了个老人")
    assert "不要扒门" in reply and "请留一个能马上联系到您的电话" in reply  # one reply, at once
    (ticket,) = observed.tickets(TicketKind.emergency)  # raised before any number came
    alerted = observed.alerted()
    assert "陈红梅" in alerted and "孙丽" in alerted  # 3栋's building head and grid worker
    first = _pushes(observed)
    assert all("还没留电话，正在询问" in text for text in first)
    reply = wechat.send("passer-by", "13912345678")
    assert "已把您的电话转告处置人员" in reply and "具体在哪里" not in reply  # 3号楼 was the place
    late = _pushes(observed)[len(first) :]
    assert len(late) == len(first) and all("13912345678" in text and ticket.code in text for text in late)
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert "13912345678" in ticket.description


def test_a_number_in_the_alarm_itself_is_in_the_first_alert(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send("passer-by", "5栋楼道着火了 我电话13912345678")
    assert "119" in reply and "请留一个" not in reply
    assert all("13912345678" in text for text in _pushes(observed))
    assert "孙丽" in observed.alerted()  # 5栋's grid worker
