"""A follow-up without a ticket number goes to the ticket its words name, not to the latest one
(found by a tester: 「门禁那个怎么还没修好」 reopened a finished plumbing job; 「修得挺好的 师傅很负责
五星好评」 rated a mediation and credited the mediator)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.clock import ManualClock
from models.tickets import Rating, Ticket, TicketStatus
from tests.support.community import pushes_to, report_repair
from tests.support.wechat import WeChatSim


def _status(session: Session, code_id: int) -> TicketStatus:
    session.rollback()
    return session.exec(select(Ticket).where(Ticket.id == code_id)).one().status


def _finished_leak(wechat: WeChatSim) -> None:
    """R1002: the leak, done by 王师傅 and waiting for the resident's word."""
    report_repair(wechat, "3栋2单元502卫生间水管漏水")
    wechat.send("demo-staff-wang", "接单 R1002")
    assert "已完成 R1002" in wechat.send("demo-staff-wang", "完成 R1002 换了水管")


def test_asking_after_the_door_entry_repair_urges_it_and_leaves_the_plumbing_alone(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    report_repair(wechat, "3栋单元门的门禁坏了 刷卡没反应")  # R1001, 门禁对讲
    _finished_leak(wechat)
    reply = wechat.send("demo-resident-wang", "门禁那个怎么还没修好啊 都好几天了")
    assert "R1001" in reply and "R1002" not in reply
    assert _status(session, 2) == TicketStatus.resolved  # the plumbing stays done
    assert not any("【返修】R1002" in text for text in pushes_to(session, "王师傅"))


def test_a_free_words_rating_of_the_repair_is_not_given_to_a_mediation(
    wechat: WeChatSim, demo: None, session: Session, clock: ManualClock
) -> None:
    report_repair(wechat, "3栋楼道的灯坏了")  # R1001, waiting for dispatch: not rated
    _finished_leak(wechat)
    wechat.send("demo-resident-wang", "楼上天天半夜跺脚太吵了")
    wechat.send("demo-resident-wang", "晚上十点后安静点")
    assert "已登记调解单 D1003" in wechat.send("demo-resident-wang", "是")
    wechat.send("demo-head-chen", "接单 D1003")
    clock.advance(timedelta(hours=2))
    wechat.send("demo-head-chen", "结案 D1003 已化解")  # concluded after the repair was finished
    reply = wechat.send("demo-resident-wang", "修得挺好的 师傅很负责 五星好评")
    assert "R1002" in reply and "D1003" not in reply
    session.rollback()
    (rating,) = session.exec(select(Rating)).all()
    assert rating.ticket_id == 2 and rating.overall == 5
