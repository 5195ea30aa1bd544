"""A staff member's own commands are never taken as answers to an open form: the command runs
and the form is offered back (the policy's rule for explicit commands, not a handler's)."""

from __future__ import annotations

from sqlmodel import Session, select

from models.tickets import Ticket, TicketStatus
from tests.support.wechat import WeChatSim


def _report_light(wechat: WeChatSim) -> None:
    wechat.send("demo-resident-wang", "3栋楼道的灯坏了")
    assert "已登记报修单 R1001" in wechat.send("demo-resident-wang", "是")


def test_a_dispatch_inside_a_repair_form_dispatches_and_offers_the_form_back(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    _report_light(wechat)
    opened = wechat.send("demo-grid-sun", "我要报修")
    assert "是什么问题" in opened, opened  # a free-text question: any words would fill it
    reply = wechat.send("demo-grid-sun", "派单 R1001 王师傅")
    assert "已把 R1001 派给王师傅" in reply and "回复「继续」接着办" in reply
    session.rollback()
    assert session.exec(select(Ticket).where(Ticket.id == 1)).one().status == TicketStatus.dispatched
    assert "接着办" in wechat.send("demo-grid-sun", "继续")


def test_office_commands_inside_a_form_are_answered_not_filed(wechat: WeChatSim, demo: None) -> None:
    _report_light(wechat)
    wechat.send("demo-grid-sun", "我要报修")
    assert "待您派单" in wechat.send("demo-grid-sun", "我的任务")
    wechat.send("demo-secretary-zhou", "我要报修")
    rates = wechat.send("demo-secretary-zhou", "本月三率")
    assert "响应率" in rates and "回复「继续」接着办" in rates
    assert "超期" in wechat.send("demo-secretary-zhou", "超期工单")
    wechat.send("demo-grid-liu", "我要报修")
    patrol = wechat.send("demo-grid-liu", "巡查发现2栋楼道堆放杂物")
    assert "已登记巡查任务" in patrol and "回复「继续」接着办" in patrol


def test_a_resident_inside_a_form_still_answers_it(wechat: WeChatSim, demo: None) -> None:
    wechat.send("demo-resident-wang", "我要报修")
    assert "巡查任务" not in wechat.send("demo-resident-wang", "巡查发现楼道灯坏了")
