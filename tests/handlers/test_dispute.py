"""Disputes and complaints in chat: the mediator works the case; the reporter is never revealed."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.people import Person
from models.tickets import Ticket, TicketKind, TicketStatus
from tests.support.wechat import WeChatSim, WeComSim


def test_dispute_is_mediated_recorded_and_concluded_without_revealing_the_reporter(
    wechat: WeChatSim, wecom: WeComSim, demo: None, session: Session
) -> None:
    reply = wechat.send("demo-resident-wang", "楼上3栋2单元602天天半夜噪音太吵")
    assert "您希望怎么解决" in reply
    reply = wechat.send("demo-resident-wang", "晚上10点后保持安静")
    assert "对方：楼上 3栋2单元602" in reply
    reply = wechat.send("demo-resident-wang", "是")
    assert "已登记调解单 D1001" in reply and "楼栋长陈红梅" in reply and "不会向对方透露" in reply
    assert "已记入 D1001" in wecom.send("wx-chenhongmei", "调解记录 D1001 已上门沟通，对方同意铺地毯")
    assert "已保存 D1001" in wecom.send("wx-chenhongmei", "调解协议 D1001 22点后不再有噪音")
    assert "已结案" in wecom.send("wx-chenhongmei", "结案 D1001 已化解")
    session.rollback()
    ticket = session.exec(select(Ticket)).one()
    assert ticket.kind == TicketKind.dispute and ticket.status == TicketStatus.closed
    assert (ticket.outcome, ticket.settled_level, ticket.agreement) == (
        "resolved",
        "building",
        "22点后不再有噪音",
    )
    assert ticket.mediation_record[0]["text"] == "已上门沟通，对方同意铺地毯"
    reporter = session.exec(select(Person).where(Person.name == "王秀兰")).one()
    mediator = session.exec(select(Person).where(Person.name == "陈红梅")).one()
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind != "volunteer").order_by(col(OutboxMessage.id))
    ).all()
    # Only the mediator and the reporter hear about it; nobody else learns who complained.
    assert {r.person_id for r in rows} == {reporter.id, mediator.id}
    assert any(
        "调解结果：已化解" in r.text and "22点后" in r.text for r in rows if r.person_id == reporter.id
    )


def test_a_dispute_referred_to_a_department_counts_at_street_level(
    wechat: WeChatSim, wecom: WeComSim, demo: None, session: Session
) -> None:
    wechat.send("demo-resident-li", "隔壁天天在楼道堆杂物")
    wechat.send("demo-resident-li", "清理掉")
    wechat.send("demo-resident-li", "是")
    assert "请写明结果" in wecom.send("wx-maguoqing", "结案 D1001")
    assert "转交职能部门" in wecom.send("wx-maguoqing", "结案 D1001 转交 街道城管科")
    session.rollback()
    ticket = session.exec(select(Ticket)).one()
    assert (ticket.outcome, ticket.department, ticket.settled_level) == ("referred", "街道城管科", "street")


def test_complaint_about_the_property_goes_to_the_property_lead(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    reply = wechat.send("demo-resident-wang", "物业的保安态度很差，昨晚对我大吼大叫")
    assert "已登记投诉 C1001" in reply and "赵经理" in reply
    session.rollback()
    ticket = session.exec(select(Ticket)).one()
    lead = session.exec(select(Person).where(Person.name == "赵经理")).one()
    assert ticket.kind == TicketKind.complaint and ticket.assignee_id == lead.id


def test_a_bare_yes_is_not_what_the_resident_wants(wechat: WeChatSim, demo: None) -> None:
    assert "您希望怎么解决" in wechat.send("demo-resident-wang", "楼上天天半夜拖椅子 吵得睡不着")
    reply = wechat.send("demo-resident-wang", "好的")
    assert "您希望怎么解决" in reply and "请确认" not in reply
    reply = wechat.send("demo-resident-wang", "希望晚上十点以后安静点")
    assert "您的诉求：希望晚上十点以后安静点" in reply


def test_another_service_while_asked_what_one_wants_is_answered(wechat: WeChatSim, demo: None) -> None:
    assert "您希望怎么解决" in wechat.send("demo-resident-wang", "楼上天天半夜拖椅子 吵得睡不着")
    reply = wechat.send("demo-resident-wang", "我的积分")
    assert "您的诉求" not in reply and "刚才的「纠纷调解」还没办完" in reply and "积分" in reply
