"""A building head's 「完成 E…」 or 「调解记录 D…」 is an action even when its note tells of a danger.

The note describes what was done or said; it is not a new report. The command is carried out, nobody
is paged, and a danger word in the note is only pointed out, with how to raise one if it is real.
"""

from __future__ import annotations

from sqlmodel import Session, select

from models.tickets import Ticket, TicketKind, TicketStatus
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def test_completing_an_emergency_with_a_note(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-grid-sun", "巡查发现3栋2单元5楼阳台上花盆快掉下来了")
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert "已接单" in wechat.send("demo-head-chen", f"接单 {ticket.code}")
    alerted = observed.alerted()
    reply = wechat.send("demo-head-chen", f"完成 {ticket.code} 已经把花盆搬进屋里了 跟住户说了")
    assert f"已完成 {ticket.code}" in reply and "请先保证安全" not in reply and "您的话里提到" not in reply
    assert len(observed.tickets(TicketKind.emergency)) == 1 and observed.alerted() == alerted
    session.rollback()
    assert session.get(Ticket, ticket.id).status == TicketStatus.resolved  # type: ignore[union-attr]


def test_a_mediation_note_that_mentions_a_fall(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-resident-wang", "楼上天天半夜跺脚太吵了")
    wechat.send("demo-resident-wang", "晚上十点后安静点")
    assert "D1001" in wechat.send("demo-resident-wang", "是")
    assert "已接调解 D1001" in wechat.send("demo-head-chen", "接单 D1001")
    reply = wechat.send("demo-head-chen", "调解记录 D1001 又去了一趟 楼上说有人在家里摔倒了才有响声")
    assert "已记入 D1001 的调解记录" in reply
    assert "摔倒" in reply and "紧急" in reply  # pointed out, with how to raise it if it is real
    assert observed.tickets(TicketKind.emergency) == [] and observed.alerted() == []
    session.rollback()
    dispute = session.exec(select(Ticket).where(Ticket.kind == TicketKind.dispute)).one()
    assert "摔倒" in dispute.mediation_record[-1]["text"]


def test_a_resident_cannot_hide_a_new_danger_behind_a_code(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send("demo-resident-wang", "完成 E1040 楼道里着火了")  # no such staff command for her
    assert "119" in reply and observed.tickets(TicketKind.emergency)
