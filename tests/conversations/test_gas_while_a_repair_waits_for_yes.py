"""A repair waits for 「是」; the resident smells gas. The alarm goes first, the repair waits."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_gas_interrupts_the_confirmation_and_the_repair_comes_back(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    assert "请确认报修" in wechat.send(WANG, "我家厨房水管漏水了")
    reply = wechat.send(WANG, "等一下 厨房里一股煤气味 越来越大")
    assert "关掉燃气总阀" in reply and "不要开关电灯" in reply  # gas guidance, not a list of everything
    assert "请确认报修" not in reply
    assert len(observed.tickets(TicketKind.emergency)) == 1
    assert observed.tickets(TicketKind.repair) == []  # the 「是」 never came
    alerted = observed.alerted()
    assert "陈红梅" in alerted and "周书记" in alerted  # the building head and the secretary
    assert len(alerted) == len(set(alerted))  # once each
    back = wechat.send(WANG, "继续")
    assert "请确认报修" in back
    assert "已登记报修单" in wechat.send(WANG, "是")
