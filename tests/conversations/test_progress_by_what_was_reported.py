"""A progress question that names the place or the problem of an earlier report finds that report."""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_naming_the_problem_finds_the_report_and_files_nothing_new(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "我家厨房水管漏水了")
    wechat.send(WANG, "是")
    wechat.send(WANG, "楼道灯坏了 3栋2单元")
    wechat.send(WANG, "是")
    repairs = observed.tickets(TicketKind.repair)
    assert len(repairs) == 2
    wechat.clock.advance(hours=20)  # type: ignore[attr-defined]
    reply = wechat.send(WANG, "3栋2单元502厨房漏水的事修了没")
    kitchen = next(t for t in repairs if "厨房" in t.description)
    assert "您问的是这一件" in reply and kitchen.code in reply
    assert len(observed.tickets(TicketKind.repair)) == 2
