"""A neighbour reported the same lift: following it in one's own words files no second ticket."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def test_follow_in_free_words(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    wechat.send("demo-resident-wang", "3栋电梯坏了")
    wechat.send("demo-resident-wang", "是")
    assert "已有邻居报修" in wechat.send("demo-elder-liu", "电梯又坏了 上不去楼")
    reply = wechat.send("demo-elder-liu", "那我也跟进一下邻居那单吧")
    assert "已关注 R1001" in reply
    assert len(observed.tickets(TicketKind.repair)) == 1
