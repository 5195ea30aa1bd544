"""Inside a form: a danger said in passing (speech, no punctuation) alerts; a danger denied does not."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_spraying_water_told_by_voice_inside_a_repair_form_alerts(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "卫生间墙上有点渗水")
    wechat.send(WANG, "嗯那个就是 不是渗了 现在哗哗的往外喷 地上全是水")
    assert observed.alerted()


def test_a_long_message_with_the_danger_mid_paragraph_alerts(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "我要投诉")
    wechat.send(
        WANG,
        "我本来是想说楼下停车的事 可是刚才下楼看见配电室门缝里冒着烟 还有股焦味 楼里好多老人 你们快来看看",
    )
    assert observed.alerted()


def test_nobody_inside_the_stopped_lift_is_a_repair(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "电梯停在三楼不动了")
    reply = wechat.send(WANG, "里面没人 我刚从楼梯走下来看过了")
    assert "请先保证安全" not in reply
    assert observed.alerted() == []
    assert observed.tickets(TicketKind.emergency) == []


def test_a_question_after_denying_the_danger_is_answered_not_alarmed(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "燃气灶打不着火")
    wechat.send(WANG, "没有漏气 我就是想知道闻到煤气味第一步该干嘛")
    assert observed.alerted() == []
