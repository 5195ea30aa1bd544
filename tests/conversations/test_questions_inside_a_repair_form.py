"""A question asked while a repair form waits is answered, and the repair is offered back."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_just_asking_stops_the_repair_and_gets_an_answer(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "楼道灯坏了")
    reply = wechat.send(WANG, "不是要报修 我就是问问楼道灯归谁管")
    assert "请确认报修" not in reply and "还没办完" in reply
    assert observed.tickets(TicketKind.repair) == []


def test_a_fee_question_is_answered_and_the_form_waits(wechat: WeChatSim, demo: None) -> None:
    assert "请确认报修" in wechat.send(WANG, "我家厨房水管漏水了")
    reply = wechat.send(WANG, "物业费可以拖欠吗")
    assert "第九百四十四条" in reply and "刚才的「报修」还没办完" in reply
    assert "请确认报修" in wechat.send(WANG, "继续")


def test_cancel_after_an_interruption_drops_the_form_put_aside(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我家厨房水管漏水了")
    wechat.send(WANG, "物业费可以拖欠吗")
    assert "已取消「报修」" in wechat.send(WANG, "取消")
    assert "没有没办完的事" in wechat.send(WANG, "继续")


def test_a_progress_question_without_a_question_mark_leaves_the_form(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    assert "请简单说说是什么问题" in wechat.send(WANG, "报修")
    reply = wechat.send(WANG, "哦对了 我上周报的楼道灯修了没有")
    assert "请确认报修" not in reply and "还没办完" in reply
    assert observed.tickets(TicketKind.repair) == []


def test_a_this_or_not_question_is_no_description(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "报修")
    reply = wechat.send(WANG, "哎不是要报修啊 我就问问换个灯泡要不要钱")
    assert "请确认报修" not in reply and "还没办完" in reply
