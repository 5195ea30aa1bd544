"""Repairs through /wechat and /wecom with real encrypted messages: report, dispatch, accept,
complete, rate; the pushes are outbox rows and the stats follow."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.outbox import OutboxMessage
from models.people import Person
from models.tickets import Rating, Ticket, TicketEvent, TicketStatus
from tests.support.wechat import WeChatSim, WeComSim, message_xml


def pushes_to(session: Session, name: str) -> list[str]:
    session.rollback()  # a fresh snapshot: the app wrote since
    person = session.exec(select(Person).where(Person.name == name)).one()
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.person_id == person.id).order_by(col(OutboxMessage.id))
    )
    return [row.text for row in rows]


def only_ticket(session: Session) -> Ticket:
    session.rollback()
    return session.exec(select(Ticket)).one()


def test_leak_end_to_end_with_pushes_rating_and_stats(
    wechat: WeChatSim,
    wecom: WeComSim,
    demo: None,
    session: Session,
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    before = app_client.get("/api/v1/stats", headers=admin_headers).json()
    assert before["satisfaction_rate"] is None and before["response_rate"] is None

    reply = wechat.send("demo-resident-wang", "我家卫生间天花板渗水")
    assert "类别：渗漏" in reply and "地点：3栋2单元502" in reply  # nothing asked: all from one message
    reply = wechat.send("demo-resident-wang", "是")
    assert "已登记报修单 R1001" in reply and "王师傅" in reply and "11月24日 09:30" in reply
    assert any(p.startswith("【新报修】R1001：3栋2单元502") for p in pushes_to(session, "陈红梅"))
    assert any("【派单】R1001" in p for p in pushes_to(session, "王师傅"))

    assert "R1001" in wecom.send("wx-wangshifu", "我的任务")
    assert "已接单 R1001" in wecom.send("wx-wangshifu", "接单 R1001")
    assert "已完成 R1001" in wecom.send("wx-wangshifu", "完成 R1001 已重做卫生间防水")
    resident = pushes_to(session, "王秀兰")
    assert resident[0] == "您的报修 R1001 已派给物业王师傅处理。"
    assert resident[1].startswith("物业王师傅已接单 R1001")
    assert resident[2].startswith("您的报修 R1001 已处理完成：已重做卫生间防水")

    assert "谢谢您的评价" in wechat.send("demo-resident-wang", "5 4 5 很及时")
    ticket = only_ticket(session)
    assert ticket.status == TicketStatus.closed and ticket.resident_fixed is True
    rating = session.exec(select(Rating)).one()
    assert (rating.overall, rating.speed, rating.service, rating.comment) == (5, 4, 5, "很及时")
    actions = [e.action for e in session.exec(select(TicketEvent).order_by(col(TicketEvent.id)))]
    assert actions == ["submit", "dispatch", "accept", "resolve", "rate"]

    after = app_client.get("/api/v1/stats", headers=admin_headers).json()
    assert after["response_rate"] == 1.0 and after["resolution_rate"] == 1.0
    assert after["satisfaction_rate"] == 1.0 and after["total"] == 1
    assert [row["key"] for row in after["by_handler"]] == ["王师傅"]
    assert after["by_building"][0]["key"] == "3"


def test_only_missing_slots_are_asked(wechat: WeChatSim, demo: None, session: Session) -> None:
    assert "什么问题" in wechat.send("demo-resident-li", "我要报修")
    reply = wechat.send("demo-resident-li", "楼道灯不亮")
    assert "类别：照明" in reply and "问题：楼道灯不亮" in reply
    assert "地点：1栋楼道" in reply  # the resident's own building (1栋1单元301)
    reply = wechat.send("newcomer", "电梯坏了")  # not bound: where?
    assert "在哪里" in reply
    reply = wechat.send("newcomer", "5栋")
    assert "地点：5栋电梯" in reply and "类别：电梯" in reply
    assert "已登记报修单" in wechat.send("newcomer", "是")
    assert only_ticket(session).spot == "电梯"


def test_an_address_in_the_message_wins_over_the_binding(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "5号楼1单元301卫生间天花板渗水")
    assert "地点：5栋1单元301" in reply
    assert "没有找到" in wechat.send("demo-resident-wang", "9栋1单元999厨房漏水")


def test_photos_attach_up_to_four(wechat: WeChatSim, demo: None, session: Session) -> None:
    wechat.send("demo-resident-wang", "厨房水管漏水了")

    def photo(n: int) -> str:
        fields = {"PicUrl": f"http://img/{n}.jpg", "MediaId": f"m{n}", "MsgId": wechat.next_msg_id()}
        data = wechat.reply(wechat.post(message_xml("demo-resident-wang", "image", wechat.now(), fields)))
        return str(data["Content"]) if data else ""

    assert "已收到照片（1/4）" in photo(1)
    for n in range(2, 5):
        photo(n)
    assert "最多只能附4张" in photo(5)
    assert "照片：4 张" in wechat.send("demo-resident-wang", "照片发好了")
    wechat.send("demo-resident-wang", "是")
    assert only_ticket(session).photos == [f"http://img/{n}.jpg" for n in range(1, 5)]


def test_duplicate_hint_lets_a_neighbour_follow(wechat: WeChatSim, demo: None, session: Session) -> None:
    wechat.send("demo-resident-wang", "3栋电梯坏了")
    wechat.send("demo-resident-wang", "是")
    reply = wechat.send("demo-head-chen", "电梯坏了")  # the building head lives in 3栋 too
    assert "已有邻居报修" in reply and "R1001" in reply
    assert "已关注 R1001" in wechat.send("demo-head-chen", "关注")
    assert len(session.exec(select(Ticket)).all()) == 1


def test_urge_has_a_cooldown_and_cancel_works(
    wechat: WeChatSim, demo: None, session: Session, clock: ManualClock
) -> None:
    wechat.send("demo-resident-wang", "厨房水管漏水了")
    wechat.send("demo-resident-wang", "是")
    assert "已催促" in wechat.send("demo-resident-wang", "催单")
    assert "刚催过" in wechat.send("demo-resident-wang", "催单 R1001")
    clock.advance(hours=5)
    assert "已催促" in wechat.send("demo-resident-wang", "催一下")
    assert sum("【催单】" in p for p in pushes_to(session, "王师傅")) == 2
    assert "不是您报的单" in wechat.send("demo-resident-li", "取消 R1001")
    assert "已取消 R1001" in wechat.send("demo-resident-wang", "取消 R1001")
    assert only_ticket(session).status == TicketStatus.cancelled
    assert "不能取消" in wechat.send("demo-resident-wang", "取消 R1001")
    assert any("已被居民取消" in p for p in pushes_to(session, "王师傅"))


def test_not_fixed_reopens_to_the_same_handler(
    wechat: WeChatSim, wecom: WeComSim, demo: None, session: Session
) -> None:
    wechat.send("demo-resident-wang", "厨房水管漏水了")
    wechat.send("demo-resident-wang", "是")
    wecom.send("wx-wangshifu", "接单 R1001")
    wecom.send("wx-wangshifu", "完成 R1001 换了水管")
    assert "已重新打开" in wechat.send("demo-resident-wang", "没修好，还在滴水")
    ticket = only_ticket(session)
    assert ticket.status == TicketStatus.reopened and ticket.resident_fixed is False
    assert any(p.startswith("【返修】R1001") for p in pushes_to(session, "王师傅"))
    assert "已接单" in wecom.send("wx-wangshifu", "接单 R1001")


def test_workers_commands_transfer_return_and_refuse_residents(
    wechat: WeChatSim, wecom: WeComSim, demo: None, session: Session
) -> None:
    wechat.send("demo-resident-wang", "厨房水管漏水了")
    wechat.send("demo-resident-wang", "是")
    assert "工作人员用的" in wechat.send("demo-resident-li", "接单 R1001")
    assert "不在您名下" in wecom.send("wx-lishifu", "完成 R1001 好了")
    assert "已把 R1001 转给李师傅" in wecom.send("wx-wangshifu", "转单 R1001 李师傅")
    assert any("【派单】R1001" in p for p in pushes_to(session, "李师傅"))
    assert "您的报修 R1001 已派给物业李师傅处理。" in pushes_to(session, "王秀兰")
    assert "请说明退单原因" in wecom.send("wx-lishifu", "退单 R1001")
    assert "已退回 R1001" in wecom.send("wx-lishifu", "退单 R1001 不是我的专业")
    ticket = only_ticket(session)
    assert ticket.status == TicketStatus.dispatched  # auto-routed again to the skilled 王师傅
    assert session.get(Person, ticket.assignee_id).name == "王师傅"  # type: ignore[union-attr]
    assert any("【退单】R1001" in p for p in pushes_to(session, "陈红梅"))
    assert "没有找到 R9999" in wecom.send("wx-wangshifu", "接单 R9999")


def test_emergency_keeps_its_reply_and_logs_a_ticket(
    wechat: WeChatSim, wecom: WeComSim, demo: None, session: Session
) -> None:
    reply = wechat.send("demo-resident-wang", "厨房着火了")
    assert "119" in reply and "E1001" in reply
    ticket = only_ticket(session)
    assert ticket.kind == "emergency" and (ticket.due_at - ticket.created_at).total_seconds() == 2 * 3600
    assert any("接单 E1001" in p for p in pushes_to(session, "李师傅"))
    assert "已接单 E1001" in wecom.send("wx-lishifu", "接单 E1001")
    assert "已被李师傅接走" in wecom.send("wx-wangshifu", "抢单 E1001")


def test_thanks_or_hello_in_the_middle_of_a_report_is_answered_in_kind(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    asked = wechat.send("polite", "我要报修")
    assert "什么问题" in asked
    thanks = wechat.send("polite", "谢谢")
    assert thanks.startswith("不客气！") and "什么问题" in thanks
    hello = wechat.send("polite", "你好")
    assert hello.startswith("您好！") and "什么问题" in hello
    assert "在哪里" in wechat.send("polite", "厨房水管漏水")  # the form went on: now the place


def test_a_visiting_time_is_kept_and_can_be_changed_at_the_confirmation(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    # The clock says Monday 2026-11-23, 09:30 in Beijing.
    reply = wechat.send("demo-resident-wang", "厨房水管漏水了，明天上午来修吧")
    assert "期望时间：2026-11-24 上午" in reply
    reply = wechat.send("demo-resident-wang", "周六下午3点以后都在家")
    assert "期望时间：2026-11-28 15:00" in reply
    assert "已登记报修单" in wechat.send("demo-resident-wang", "是")
    assert only_ticket(session).preferred_time == "2026-11-28 15:00"


def test_small_talk_at_the_confirmation_does_not_set_a_time(wechat: WeChatSim, demo: None) -> None:
    assert "期望时间" not in wechat.send("demo-resident-wang", "我家卫生间天花板渗水")
    reply = wechat.send("demo-resident-wang", "今天天气怎么样")
    assert "期望时间" not in reply and "请确认报修" in reply


def test_tomorrow_is_the_community_s_tomorrow_in_the_early_morning(
    wechat: WeChatSim, demo: None, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 23, 23, 30, tzinfo=UTC))  # Tuesday 07:30 in Beijing, Monday in UTC
    reply = wechat.send("demo-resident-wang", "厨房水管漏水了，明天上午来修")
    assert "期望时间：2026-11-25 上午" in reply


def test_a_question_is_not_taken_for_the_place(wechat: WeChatSim, demo: None) -> None:
    wechat.send("newcomer", "绑定")
    wechat.send("newcomer", "3栋2单元1502")  # no such room on file: a request, not bound yet
    assert "在哪里" in wechat.send("newcomer", "卫生间漏水")
    reply = wechat.send("newcomer", "今天天气怎么样")
    assert "没有看懂" in reply and "在哪里" in reply
    assert "地点：幼儿园门口" in wechat.send("newcomer", "幼儿园门口")
