"""A form put aside by a question gets the next message when it answers it: no 「继续」 needed. A new
report, a question or thanks does not go back to it."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_when_to_come_after_a_question_goes_back_to_the_repair(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "厨房下水道堵了")
    assert "还没办完" in wechat.send(WANG, "修这个要收费吗")
    assert "请确认报修" in wechat.send(WANG, "那行，还是派人来吧，明天上午在家")
    assert "已登记报修单" in wechat.send(WANG, "是")
    assert len(observed.tickets(TicketKind.repair)) == 1


def test_the_neighbours_flat_after_a_question_goes_back_to_the_dispute(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "楼上装修天天早上七点就砸墙")
    wechat.send(WANG, "装修到底几点以后才能开工，有规定吗")
    confirm = wechat.send(WANG, "702，希望他们按规定时间施工")
    assert "请确认" in confirm
    assert "希望他们按规定时间施工" in confirm


def test_another_repair_is_a_report_of_its_own(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "厨房下水道堵了")
    wechat.send(WANG, "修这个要收费吗")
    reply = wechat.send(WANG, "楼道灯也不亮了 3栋2单元")
    assert "楼道灯" in reply
    assert "下水道" not in reply


def test_thanks_does_not_bring_the_form_back(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "厨房下水道堵了")
    wechat.send(WANG, "修这个要收费吗")
    assert "请确认报修" not in wechat.send(WANG, "谢谢")


def test_a_question_about_points_while_choosing_a_gift_is_answered(wechat: WeChatSim, demo: None) -> None:
    assert "想兑换什么" in wechat.send(WANG, "我想用积分换东西")
    reply = wechat.send(WANG, "积分是不是年底就过期了")
    assert "没有找到" not in reply
