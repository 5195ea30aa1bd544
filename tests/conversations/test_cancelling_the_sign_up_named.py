"""「包饺子那个我不去了」 cancels the sign-up named, never another one (stranger report item 5)."""

from __future__ import annotations

import pytest

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


@pytest.mark.parametrize("stop", ["夜间巡逻那个我不去了", "包饺子那个我不去了"])
def test_a_sign_up_named_but_not_held_cancels_nothing(wechat: WeChatSim, demo: None, stop: str) -> None:
    for activity in ("夜间治安巡逻", "社区义诊"):
        assert "确认报名" in wechat.send(WANG, f"我报名{activity}")
        assert "报名成功" in wechat.send(WANG, "是")
    assert "已取消「夜间治安巡逻」" in wechat.send(WANG, "取消报名2")
    reply = wechat.send(WANG, stop)
    assert "已取消" not in reply and "社区义诊" in reply and "没有报名" in reply
    assert "社区义诊" in wechat.send(WANG, "我的报名")


def test_the_sign_up_named_is_the_one_cancelled(wechat: WeChatSim, demo: None) -> None:
    for activity in ("夜间治安巡逻", "社区义诊"):
        wechat.send(WANG, f"我报名{activity}")
        wechat.send(WANG, "是")
    assert "已取消「社区义诊」" in wechat.send(WANG, "义诊那个我不去了")
