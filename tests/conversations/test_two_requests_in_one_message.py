"""Two requests in one message: the more pressing one is handled, the other acknowledged."""

from __future__ import annotations

from tests.support.wechat import WeChatSim


def test_a_repair_and_a_question(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "我家卫生间下水道堵了，顺便问一下物业费怎么交")
    assert "请确认报修" in reply
    assert "您还提到「物业费怎么交」" in reply
