"""Staff and volunteers working from chat are understood (a stranger's trial, 2026-12-01 §9).

A responder alerted to a fire takes it in his own words (「E1001 我来处理」); a repairman with one
order reports arriving and finishing without its code; a building head's words from the scene are
a report on the incident she was alerted to, and her words after a visit a note on the mediation
she holds, not new reports; a visit volunteer's 「我的任务」 lists the visits.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from models.tickets import Ticket, TicketKind, TicketStatus
from tests.conversations.conftest import Observed
from tests.support.community import pushes_to, report_repair
from tests.support.wechat import WeChatSim


def _ticket(session: Session, code_id: int) -> Ticket:
    session.rollback()
    return session.exec(select(Ticket).where(Ticket.id == code_id)).one()


@pytest.mark.parametrize("words", ["我来处理", "我去看看", "我马上到"])
def test_an_alerted_grid_worker_takes_the_fire_in_his_own_words(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session, words: str
) -> None:
    wechat.send("demo-resident-wang", "哎呀厨房着火了 火好大")
    (fire,) = observed.tickets(TicketKind.emergency)
    assert "孙丽" in observed.alerted()
    reply = wechat.send("demo-grid-sun", f"{fire.code} {words}")
    assert f"已接单 {fire.code}" in reply and "不是您报的单" not in reply
    taken = _ticket(session, fire.id)  # type: ignore[arg-type]
    assert taken.status == TicketStatus.accepted and taken.assignee_id is not None
    told = pushes_to(session, "王秀兰")[-1]
    assert "孙丽" in told and fire.code in told  # the reporter hears who is coming
    assert "【已接手】" in pushes_to(session, "陈红梅")[-1]  # the others alerted stand by
    assert len(observed.tickets(TicketKind.emergency)) == 1


def test_a_repairman_with_one_order_reports_without_its_code(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    report_repair(wechat, "3栋2单元502厨房水管角阀漏水")
    assert "R1001" in wechat.send("demo-staff-wang", "我的任务")
    reply = wechat.send("demo-staff-wang", "我到了 正在修")
    assert "R1001" in reply and "您还没有报修" not in reply
    assert _ticket(session, 1).status == TicketStatus.in_progress
    reply = wechat.send("demo-staff-wang", "修好了 换了个新的角阀")
    assert "已完成 R1001" in reply
    done = _ticket(session, 1)
    assert done.status == TicketStatus.resolved and "角阀" in done.resolution
    assert "换了个新的角阀" in pushes_to(session, "王秀兰")[-1]


def test_with_several_orders_the_repairman_is_asked_which(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    report_repair(wechat, "3栋2单元502厨房水管漏水")
    report_repair(wechat, "1栋1单元301卫生间下水道堵了", openid="demo-resident-li")
    reply = wechat.send("demo-staff-wang", "我到了 正在修")
    assert "R1001" in reply and "R1002" in reply and "哪" in reply
    assert "处理中" not in reply
    assert "R1002" in wechat.send("demo-staff-wang", "R1002")
    assert _ticket(session, 2).status == TicketStatus.in_progress
    assert _ticket(session, 1).status != TicketStatus.in_progress


def test_a_repairman_with_no_order_is_told_so_as_staff(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-staff-li", "修好了 换了个新的角阀")
    assert "您还没有报修" not in reply and "工单" in reply and "我的任务" in reply


def test_a_building_heads_words_from_the_scene_report_on_the_incident(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-resident-wang", "3栋楼道里好多烟")
    (smoke,) = observed.tickets(TicketKind.emergency)
    assert "陈红梅" in observed.alerted()
    reply = wechat.send("demo-head-chen", "到现场了 是有人在楼道烧纸 已经灭了 没事了")
    assert smoke.code in reply and "对方在哪里" not in reply
    assert observed.tickets(TicketKind.dispute) == [] and len(observed.tickets(TicketKind.emergency)) == 1
    closed = _ticket(session, smoke.id)  # type: ignore[arg-type]
    assert closed.status == TicketStatus.resolved and "烧纸" in closed.resolution
    assert "烧纸" in pushes_to(session, "孙丽")[-1]  # the others alerted need not come


def test_a_building_heads_words_after_a_visit_are_a_mediation_note(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send("demo-resident-wang", "楼上天天半夜跺脚太吵了")
    wechat.send("demo-resident-wang", "晚上十点后安静点")
    assert "D1001" in wechat.send("demo-resident-wang", "是")
    assert "已接调解 D1001" in wechat.send("demo-head-chen", "接单 D1001")
    reply = wechat.send("demo-head-chen", "我去602敲门聊过了 他们说以后注意")
    assert "已记入 D1001 的调解记录" in reply
    assert "以后注意" in _ticket(session, 1).mediation_record[-1]["text"]


def test_a_visit_volunteer_sees_the_visits_in_my_tasks(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-zhang", "我的任务")
    assert "刘桂芳" in reply and "走访" in reply and "给工作人员用的" not in reply
    assert "给工作人员用的" in wechat.send("demo-resident-wang", "我的任务")  # no visits, no work
