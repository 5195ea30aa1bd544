"""At 「回复“是”提交」 the form is complete: a question is answered, not filed as the problem.

From a stranger's trial (docs/trials/2026-12-01-stranger-hgj-chat.md §6): questions asked inside a
repair form replaced its description, and a vote became a 停车道闸 repair.
"""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
PIPE = "我家厨房水管漏水了"


def test_a_question_at_the_confirm_step_keeps_the_report(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    assert "请确认报修" in wechat.send(WANG, PIPE)
    reply = wechat.send(WANG, "那我家热水器要不要关")
    assert "问题：" not in reply and "还没办完" in reply
    back = wechat.send(WANG, "继续")
    assert f"问题：{PIPE}" in back and "热水器" not in back
    wechat.send(WANG, "是")
    [ticket] = observed.tickets(TicketKind.repair)
    assert "热水器" not in ticket.description


def test_asking_who_pays_while_the_place_is_asked(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "报修")
    assert "在哪里" in wechat.send(WANG, "卫生间窗户玻璃裂了")
    reply = wechat.send(WANG, "等等 先问下 这个换玻璃是物业出钱还是我自己出")
    assert "还没办完" in reply and "在哪里" not in reply
    assert "在哪里" in wechat.send(WANG, "继续")


def test_agreeing_to_a_vote_is_no_repair(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, PIPE)
    reply = wechat.send(WANG, "充电桩那个我同意")
    assert "停车道闸" not in reply and "还没办完" in reply


def test_a_time_asked_as_a_question_is_the_visit_time(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, PIPE)
    reply = wechat.send(WANG, "能不能明天上午来")
    assert "期望时间" in reply and "上午" in reply and f"问题：{PIPE}" in reply


def test_a_notice_question_at_the_confirm_step(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, PIPE)
    reply = wechat.send(WANG, "明天停水吗")
    assert "还没办完" in reply and "问题：明天停水吗" not in reply


def test_going_ahead_with_a_time_after_the_question(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "卫生间的灯不亮了")
    assert "还没办完" in wechat.send(WANG, "先问下，这个是我出钱还是物业出钱")
    reply = wechat.send(WANG, "好吧，那修吧，明天下午可以")
    assert "请确认报修" in reply and "期望时间" in reply and "下午" in reply
    assert "已登记报修单" in wechat.send(WANG, "是滴")
    assert len(observed.tickets(TicketKind.repair)) == 1


def test_a_detail_at_the_confirm_step_is_added_not_swapped(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "厕所下水堵了 水下不去")
    reply = wechat.send(WANG, "洗澡那个地漏")
    assert "问题：厕所下水堵了 水下不去；洗澡那个地漏" in reply
    assert "已登记报修单" in wechat.send(WANG, "要得")  # 要得: yes, in Sichuan
