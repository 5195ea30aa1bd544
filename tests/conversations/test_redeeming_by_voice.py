"""Redeeming points said by voice (a space at every pause, fillers first) opens the redemption."""

from __future__ import annotations

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_a_spoken_redemption_opens_the_list_of_gifts(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "那个 我 想 用 积分 换 东西")
    assert "您现在有" not in reply  # not the balance
    assert "想兑换什么" in reply
