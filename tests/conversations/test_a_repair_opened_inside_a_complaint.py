"""「报修」 inside an open complaint form starts a repair; it is not the complaint's description."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_saying_repair_inside_a_complaint_starts_the_repair(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    assert "投诉的事情" in wechat.send(WANG, "我要投诉物业")
    reply = wechat.send(WANG, "报修")
    assert "什么问题" in reply
    assert observed.tickets(TicketKind.complaint) == []
    after = wechat.send(WANG, "卫生间水龙头关不紧")
    assert "请确认报修" in after or "在哪里" in after  # the repair form goes on
