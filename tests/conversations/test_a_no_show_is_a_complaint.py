"""「物业维修工约好了不来」 is a complaint about the property company, not a progress question; so is a
shared place left uncared for (「垃圾桶满了好几天了 也没人管」), which names no neighbour."""

from __future__ import annotations

import pytest

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


@pytest.mark.parametrize(
    "said",
    [
        "物业维修工约好了不来",
        "跟物业约好今天上午来修 等了一上午人也没来 电话也不接",
        "我要投诉王师傅 约好了不来",
    ],
)
def test_staff_who_did_not_come_is_a_complaint(wechat: WeChatSim, demo: None, said: str) -> None:
    reply = wechat.send(WANG, said)
    assert "您还没有报修" not in reply
    assert "已登记投诉" in reply  # what happened is the complaint's matter: filed at once


def test_a_shared_place_left_uncared_for_is_a_complaint_not_a_neighbour_dispute(
    wechat: WeChatSim, demo: None
) -> None:
    reply = wechat.send(WANG, "1栋门口那个垃圾桶满了好几天了 都臭了 也没人管")
    assert "已登记投诉" in reply and "对方在哪里" not in reply
    # a neighbour named is still a dispute between neighbours
    assert "已登记投诉" not in wechat.send("demo-elder-liu", "楼上天天半夜拖东西 也没人管")
