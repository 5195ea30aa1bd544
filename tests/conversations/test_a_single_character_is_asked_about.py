"""A newcomer's 「楼」 leans to an emergency in the classifier but names no danger: ask, alert no one."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def test_a_single_character_alerts_no_one(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    for text in ("楼", "水", "火"):
        reply = wechat.send("newcomer-7", text)
        assert "119" not in reply and "请先保证安全" not in reply
    assert observed.tickets(TicketKind.emergency) == []
    assert observed.alerted() == []
