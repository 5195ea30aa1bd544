"""「不是A，是B」: the clause denied first is not the request; the correction after it is."""

from __future__ import annotations

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_not_the_neighbour_but_my_own_tap_is_a_repair(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "不是楼上的问题，是我家自己的水龙头坏了")
    assert "请确认报修" in reply and "对方在哪里" not in reply


def test_not_signing_up_but_redeeming_opens_the_gifts(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "不是报名，我是想用积分换东西")
    assert "积分" in reply and "想报名哪个活动" not in reply and "近期志愿活动" not in reply
