"""「着火了」 three times in a minute is one fire: one ticket, one alert per person."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def test_one_incident_however_often_it_is_told(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    first = wechat.send("demo-resident-wang", "着火了")
    assert "119" in first
    alerted = observed.alerted()
    for _ in range(2):
        wechat.clock.advance(seconds=20)  # type: ignore[attr-defined]
        again = wechat.send("demo-resident-wang", "着火了！！")
        assert "已记入您的紧急求助 E1001" in again and "119" in again
    assert len(observed.tickets(TicketKind.emergency)) == 1
    assert observed.alerted() == alerted
