"""Inside a repair form, 「没有煤气味了 就是灶台打不着火」 is the repair, not an alarm."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_a_negated_hazard_is_an_answer(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    wechat.send(WANG, "报修")
    for text in ("没有煤气味了 就是灶台打不着火", "不是着火 是楼下烧烤的烟飘上来了"):
        reply = wechat.send(WANG, text)
        assert "请先保证安全" not in reply
    assert observed.tickets(TicketKind.emergency) == []
    assert observed.alerted() == []
