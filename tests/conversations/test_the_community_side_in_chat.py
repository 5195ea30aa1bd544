"""Grid workers and the secretary do their work in chat: 派单 within the cap, patrol findings, 三率."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.people import Person
from models.ticket_work import pause
from models.tickets import Ticket, TicketEvent, TicketKind, TicketStatus
from tests.support.community import pushes_to, report_repair
from tests.support.wechat import WeChatSim, WeComSim

LEAK = "3栋2单元502卫生间水管漏水"


def test_the_grid_worker_dispatches_what_awaits_them(wechat: WeChatSim, demo: None, session: Session) -> None:
    report_repair(wechat, "3栋楼道的灯坏了")  # nobody handles 照明: it waits for the grid worker
    (push,) = [t for t in pushes_to(session, "孙丽") if "【待派单】" in t]
    assert "「派单 R1001 王师傅」" in push and "人工派单" not in push
    reply = wechat.send("demo-grid-sun", "我的任务")
    assert "待您派单" in reply and "R1001" in reply and "「派单 R1001 王师傅」" in reply
    assert "不归您派单" in wechat.send("demo-grid-liu", "派单 R1001 王师傅")  # another grid's
    assert "已把 R1001 派给王师傅" in wechat.send("demo-grid-sun", "派单 R1001 王师傅")
    assert "【派单】R1001" in pushes_to(session, "王师傅")[-1]
    assert "已派给物业王师傅" in pushes_to(session, "王秀兰")[-1]
    assert "待您派单" not in wechat.send("demo-grid-sun", "我的任务")
    assert "已接单 R1001" in wechat.send("demo-staff-wang", "接单 R1001")


def test_a_dispatch_past_the_cap_needs_a_reason(wechat: WeChatSim, demo: None, session: Session) -> None:
    for _ in range(5):
        report_repair(wechat, LEAK)  # 水电: each goes to 王师傅, the only plumber, up to the cap of 5
    report_repair(wechat, "3栋楼道的灯坏了")
    reply = wechat.send("demo-grid-sun", "派单 R1006 王师傅")
    assert "已有 5 张未完成工单" in reply and "「派单 R1006 王师傅 超量 原因」" in reply
    assert "要写明原因" in wechat.send("demo-grid-sun", "派单 R1006 王师傅 超量")
    session.rollback()
    assert session.exec(select(Ticket).where(Ticket.id == 6)).one().status == TicketStatus.submitted
    reply = wechat.send("demo-grid-sun", "派单 R1006 王师傅 超量 其他师傅都休假")
    assert "已把 R1006 超量派给王师傅" in reply and "其他师傅都休假" in reply
    session.rollback()
    ticket = session.exec(select(Ticket).where(Ticket.id == 6)).one()
    assert ticket.status == TicketStatus.dispatched
    notes = session.exec(select(TicketEvent.note).where(TicketEvent.ticket_id == 6)).all()
    assert any("超量派单：其他师傅都休假" in note for note in notes)


def test_the_old_transfer_keeps_working(wechat: WeChatSim, demo: None) -> None:
    report_repair(wechat, "3栋楼道的灯坏了")
    assert "已把 R1001 转给王师傅" in wechat.send("demo-grid-sun", "转单 R1001 王师傅")


def test_a_transfer_respects_the_cap_too(wechat: WeChatSim, demo: None) -> None:
    for _ in range(5):
        report_repair(wechat, LEAK)
    report_repair(wechat, "3栋楼道的灯坏了")
    assert "到上限了" in wechat.send("demo-grid-sun", "转单 R1006 王师傅")
    assert "已把 R1006 转给王师傅" in wechat.send("demo-grid-sun", "转单 R1006 王师傅 超量 只有他会修")


def test_a_building_heads_patrol_finding_in_her_building(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    reply = wechat.send("demo-head-chen", "巡楼发现楼道灯不亮")  # no building named: her own, 3栋
    assert "已登记巡查任务 R1001" in reply and "3栋楼道" in reply and "「派单 R1001" in reply
    assert any("【待派单】R1001" in t for t in pushes_to(session, "孙丽"))  # the grid worker may too
    assert "已把 R1001 派给王师傅" in wechat.send("demo-head-chen", "派单 R1001 王师傅")


def test_staff_patrol_elsewhere_is_left_to_the_grid_worker(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-staff-li", "巡检发现5栋门口路灯不亮")
    assert "地点 5栋" in reply and "已通知网格员派单" in reply


def test_a_patrol_finding_is_a_task_not_a_dispute(wechat: WeChatSim, demo: None, session: Session) -> None:
    reply = wechat.send("demo-grid-liu", "巡查发现2栋楼道堆放杂物")
    assert "已登记巡查任务 R1001" in reply and "2栋楼道" in reply and "您希望怎么解决" not in reply
    session.rollback()
    (ticket,) = session.exec(select(Ticket)).all()
    assert ticket.kind == TicketKind.repair and ticket.place == "2栋楼道" and "杂物" in ticket.description
    assert ticket.building_id is not None
    # No form is left open: the next message is understood on its own.
    assert "待您派单" in wechat.send("demo-grid-liu", "我的任务")


def test_a_resident_saying_patrol_words_is_not_filed_as_a_patrol(wechat: WeChatSim, demo: None) -> None:
    assert "巡查任务" not in wechat.send("demo-resident-wang", "巡逻的保安发现楼下有人吵架")


def test_the_secretary_sees_this_months_rates_and_overdue_work(
    wechat: WeChatSim, wecom: WeComSim, demo: None, clock: ManualClock
) -> None:
    report_repair(wechat, LEAK)
    assert "已接单 R1001" in wechat.send("demo-staff-wang", "接单 R1001")
    report_repair(wechat, "3栋楼道的灯坏了")
    clock.advance(timedelta(days=8))  # R1002's limit has passed
    reply = wechat.send("demo-secretary-zhou", "本月三率")
    assert "响应率" in reply and "解决率" in reply and "满意率" in reply and "化解率" in reply
    assert "您还没有绑定房屋" not in reply and "通知" not in reply
    assert "超期未办" in reply and "R1002" in reply
    assert "R1002" in wechat.send("demo-secretary-zhou", "超期工单")
    assert "超期未办" in wecom.send("wx-zhoushuji", "本月三率")  # from WeCom as well
    assert "响应率" not in wechat.send("demo-resident-wang", "本月三率")


def test_work_paused_before_its_limit_is_not_called_overdue(
    wechat: WeChatSim, demo: None, clock: ManualClock, session: Session
) -> None:
    assert "R1001" in report_repair(wechat, "3栋楼道的灯坏了")
    with Session(session.get_bind()) as other, other.begin():  # the office pauses it (waiting for parts)
        row = other.get(Ticket, 1)
        assert row is not None and row.code == "R1001"
        outcome = pause(
            other, ticket=row, reason="等配件", actor_id=None, actor_label="管理员", now=clock.now()
        )
        assert outcome.ok
    clock.advance(timedelta(days=8))  # past the limit, but its clock stood still
    assert "R1001" not in wechat.send("demo-secretary-zhou", "超期工单")


def test_the_rates_count_this_month(wechat: WeChatSim, demo: None) -> None:
    report_repair(wechat, LEAK)
    wechat.send("demo-staff-wang", "接单 R1001")
    reply = wechat.send("demo-admin-wu", "本月三率")
    assert "11月" in reply and "响应率 100%" in reply and "本月工单 1 件" in reply


def test_a_complaint_about_the_property_also_reaches_the_community(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    reply = wechat.send("demo-resident-wang", "物业的保安态度很差，昨晚对我大吼大叫")
    assert "已登记投诉 C1001" in reply and "赵经理" in reply and "网格员孙丽" in reply
    (copy,) = [t for t in pushes_to(session, "孙丽") if "C1001" in t]  # 3栋's grid worker
    assert "【投诉督办】" in copy and "保安态度很差" in copy and "赵经理" in copy
    assert not [t for t in pushes_to(session, "刘志强") if "C1001" in t]


def test_an_unbound_residents_complaint_reaches_the_secretary(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    assert "书记周书记" in wechat.send("newcomer-7", "物业保洁天天不打扫，投诉他们不作为")
    assert any("【投诉督办】" in t for t in pushes_to(session, "周书记"))


def test_a_patrol_finding_about_people_is_not_filed_as_a_repair(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    sleeping = wechat.send("demo-grid-liu", "巡查时发现2栋1单元楼梯间有个人在睡觉")  # no alarm either
    assert "关怀探视" in sleeping and "维修" in sleeping and "已交给" in sleeping
    unwell = wechat.send("demo-grid-liu", "巡查发现2栋有位老人脸色不好，坐在门口")
    assert "关怀探视" in unwell
    leaflets = wechat.send("demo-grid-liu", "巡查发现2栋有陌生人在发传单")
    assert "秩序问题" in leaflets and "D100" in leaflets
    bikes = wechat.send("demo-grid-liu", "巡查时发现2栋一楼楼道被电动车堵住了")  # not a drain (「堵」)
    assert "秩序问题" in bikes and "管道" not in bikes
    clutter = wechat.send("demo-grid-liu", "巡查发现2栋楼道堆放杂物")
    assert "已登记巡查任务" in clutter
    session.rollback()
    tickets = session.exec(select(Ticket).order_by(col(Ticket.id))).all()
    assert [(t.kind, t.category) for t in tickets[:2]] == [(TicketKind.repair, "关怀探视")] * 2
    assert all(t.assignee_id is not None for t in tickets[:2])  # to the community side, not a plumber
    staff = {p.id for p in session.exec(select(Person).where(Person.role == "staff"))}
    assert tickets[0].assignee_id not in staff and tickets[1].assignee_id not in staff
    assert tickets[2].kind == TicketKind.dispute and tickets[3].kind == TicketKind.dispute
    assert tickets[4].kind == TicketKind.repair


def test_workers_say_it_in_their_own_words(wechat: WeChatSim, demo: None, session: Session) -> None:
    """Found by a tester: 「R1032修好了 换了个马桶盖」 and 「这单我接了 R1028」 from the worker got
    「不是您报的单」; 「把R1038派给王师傅」 only showed the ticket."""
    report_repair(wechat, "3栋楼道的灯坏了")  # R1001 waits for dispatch
    assert "已把 R1001 派给王师傅" in wechat.send("demo-grid-sun", "把R1001派给王师傅")
    assert "已接单 R1001" in wechat.send("demo-staff-wang", "这单我接了 R1001")
    assert "已完成 R1001" in wechat.send("demo-staff-wang", "R1001修好了 换了个灯泡")
    session.rollback()
    ticket = session.exec(select(Ticket).where(Ticket.id == 1)).one()
    assert ticket.status == TicketStatus.resolved and ticket.resolution == "换了个灯泡"
    report_repair(wechat, LEAK)  # R1002 to 王师傅
    assert "已接单 R1002" in wechat.send("demo-staff-wang", "R1002 我接了")
    resident = wechat.send("demo-resident-wang", "R1001修好了")  # the resident's word still counts as hers
    assert "已通知居民" not in resident and "不是您报的单" not in resident


def test_returned_work_is_told_to_the_office_and_the_reporter(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    """Found by a tester: 「退单」 told nobody when the ticket had no building (an unbound reporter)."""
    wechat.send("newcomer-5", "楼道灯坏了")
    assert "已登记报修单 R1001" in wechat.send("newcomer-5", "是")
    assert "已把 R1001 派给王师傅" in wechat.send("demo-secretary-zhou", "派单 R1001 王师傅")
    assert "已退回 R1001" in wechat.send("demo-staff-wang", "退单 R1001 这是电工的活 我不会")
    assert any("【退单】R1001" in text and "电工" in text for text in pushes_to(session, "刘志强"))
    assert "需要换人处理" in pushes_to(session, "newcomer-5")[-1]


def test_the_suggested_worker_is_one_under_the_cap(wechat: WeChatSim, demo: None, session: Session) -> None:
    for _ in range(5):
        report_repair(wechat, LEAK)  # 王师傅 at the cap
    report_repair(wechat, "3栋楼道的灯坏了")  # nobody has 照明
    (push,) = [t for t in pushes_to(session, "孙丽") if "【待派单】R1006" in t]
    assert "「派单 R1006 王师傅」" not in push


def test_the_figures_and_overdue_work_in_everyday_words(
    wechat: WeChatSim, demo: None, clock: ManualClock
) -> None:
    """Found by a tester: 「上个月的三率」「这个月三率怎么样」「现在有几个单子超时了」 got resident
    replies, and a building head's 「本月三率」 the notice list."""
    report_repair(wechat, "3栋楼道的灯坏了")
    clock.advance(timedelta(days=8))  # R1001 is overdue
    last = wechat.send("demo-secretary-zhou", "上个月的三率")
    assert "响应率" in last and "全月" in last and "您还没有报修" not in last
    assert "响应率" in wechat.send("demo-secretary-zhou", "这个月三率怎么样")
    assert "R1001" in wechat.send("demo-grid-sun", "现在有几个单子超时了")
    assert "R1001" in wechat.send("demo-secretary-zhou", "有哪些超期的")
    head = wechat.send("demo-head-chen", "本月三率")
    assert "响应率" in head and "本楼" in head and "通知" not in head and "R1001" in head


def test_a_dispatch_to_someone_without_the_skill_is_pointed_out_and_late_work_is_marked(
    wechat: WeChatSim, demo: None, clock: ManualClock
) -> None:
    """Found by a tester: a 水电 job went to the elevator man without a word; a worker's own list
    did not mark work four days overdue."""
    report_repair(wechat, LEAK)  # R1001 to 王师傅, the plumber
    moved = wechat.send("demo-grid-sun", "转单 R1001 李师傅")
    assert "已把 R1001 转给李师傅" in moved and "没有「水电」" in moved and "王师傅" in moved
    report_repair(wechat, "3栋楼道的灯坏了")  # nobody has 照明: no remark
    assert "提醒" not in wechat.send("demo-grid-sun", "派单 R1002 李师傅")
    clock.advance(timedelta(days=8))
    tasks = wechat.send("demo-staff-li", "我的任务")
    assert "R1001" in tasks and "已超期" in tasks


def test_asking_for_the_days_work_in_everyday_words(wechat: WeChatSim, demo: None) -> None:
    """Found by a tester: 「今天有啥任务」 got the residents' notice list, 「今天还有啥活」 a resident example."""
    report_repair(wechat, "3栋楼道的灯坏了")
    assert "待您派单" in wechat.send("demo-grid-sun", "今天有啥任务")
    report_repair(wechat, LEAK)
    assert "R1002" in wechat.send("demo-staff-wang", "今天还有啥活")
    assert "R1002" in wechat.send("demo-staff-wang", "我今天的工单")


def test_the_reporter_hears_of_every_hand_over_and_an_empty_month_points_to_the_last(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    """Found by a tester: a transfer back to the first worker was not told to the resident; on the
    1st the month's figures were empty with no way to last month's."""
    report_repair(wechat, LEAK)  # R1001 to 王师傅
    wechat.send("demo-grid-sun", "转单 R1001 李师傅")
    wechat.send("demo-grid-sun", "转单 R1001 王师傅")
    told = [t for t in pushes_to(session, "王秀兰") if "R1001 已派给" in t]
    assert len(told) == 3 and "王师傅" in told[-1]
    assert "上个月的三率" in wechat.send("demo-secretary-zhou", "本月三率")
