"""A smoke detector beeping or going off with no smoke is a repair, not an alarm nor a shrug.

王秀兰 says in Sichuan words that the smoke detector at home keeps beeping: a repair form opens
(its confirmation), nobody is paged; telling that there is no fire and no smoke changes nothing.
"""

from __future__ import annotations

from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def test_a_beeping_smoke_detector_opens_a_repair(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    reply = wechat.send("demo-resident-wang", "屋头那个烟感一直叫，烦得很")
    assert "报修" in reply and "没太明白" not in reply
    reply = wechat.send("demo-resident-wang", "没得着火，也没得烟，就是它自己乱叫")
    assert "119" not in reply
    assert observed.alerted() == []


def test_a_smoke_detector_going_off_for_nothing_is_a_repair(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send("demo-resident-wang", "烟雾报警器老是误报，啥事没有也响")
    assert "报修" in reply and observed.alerted() == []
