"""Inside a complaint: a wire pulled from a neighbour's door is the complaint, not an alarm; a wire
throwing sparks is an alarm."""

from __future__ import annotations

from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_a_wire_pulled_from_a_door_is_what_is_complained_of(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "我要投诉")
    reply = wechat.send(WANG, "五楼楼道，电线从他家门缝拉出来")
    assert "请先保证安全" not in reply
    assert observed.alerted() == []


def test_a_wire_throwing_sparks_inside_a_complaint_alerts(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "我要投诉")
    wechat.send(WANG, "五楼楼道 电线从他家门缝拉出来 现在冒火花了")
    assert observed.alerted()
