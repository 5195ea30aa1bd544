"""「燃气管道改造那个 同意 现在没漏气」: a vote on the gas pipes, the leak denied, alerts nobody."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_gas_named_as_the_topic_with_the_leak_denied_is_no_alarm(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "我要投票")
    for text in ("燃气管道改造那个 同意 现在没漏气 就是管子太老了", "燃气管道改造那个 同意 现在没漏气"):
        reply = wechat.send(WANG, text)
        assert "请先保证安全" not in reply and "待核实" not in reply
    assert observed.tickets(TicketKind.emergency) == []
    assert observed.alerted() == []


def test_a_gas_smell_beside_the_vote_still_alarms(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    wechat.send(WANG, "我要投票")
    wechat.send(WANG, "燃气管道改造那个 同意 不过现在楼道里一股煤气味")
    assert observed.alerted()
