"""A repair put aside by a question, then 「算了，不用了」 (with thanks, or 行吧): the repair is
cancelled and the bot says so; it is no greeting and no menu."""

from __future__ import annotations

import pytest

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


@pytest.mark.parametrize(
    "stop", ["算了，不用了", "哦 算了 不用了 谢谢", "行吧 不用了", "算了，别修了 谢谢你"]
)
def test_stopping_a_repair_put_aside_cancels_it(
    wechat: WeChatSim, demo: None, observed: Observed, stop: str
) -> None:
    wechat.send(WANG, "厨房水管漏水")
    assert "还没办完" in wechat.send(WANG, "物业费怎么交")
    reply = wechat.send(WANG, stop)
    assert "已取消「报修」" in reply
    assert "我可以帮您" not in reply
    assert "刚才没有没办完的事" in wechat.send(WANG, "继续")
    assert observed.tickets(TicketKind.repair) == []


def test_thanks_alone_keeps_what_was_put_aside(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "厨房水管漏水")
    wechat.send(WANG, "物业费怎么交")
    assert "已取消" not in wechat.send(WANG, "谢谢")
    assert "接着办「报修」" in wechat.send(WANG, "继续")
