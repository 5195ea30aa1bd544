"""「取消 我再想想」「算了 不投诉了 取消吧」「算了不用了 刚才它又亮了」 end the open form."""

from __future__ import annotations

import pytest

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


@pytest.mark.parametrize(
    "stop", ["算了不用了 刚才它又亮了", "取消 我再想想", "不报了 取消", "取消吧 我还是自己下去跟他说"]
)
def test_stopping_a_repair_with_a_reason(
    wechat: WeChatSim, demo: None, observed: Observed, stop: str
) -> None:
    assert "请确认报修" in wechat.send(WANG, "楼道灯不亮 3栋2单元")
    assert "已取消「报修」" in wechat.send(WANG, stop)
    assert observed.tickets(TicketKind.repair) == []


def test_two_words_of_stopping_end_a_complaint(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我要投诉")
    assert "已取消" in wechat.send(WANG, "算了 不投诉了 取消吧")


def test_stopping_then_a_new_request_is_the_request(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "楼道灯不亮 3栋2单元")
    assert "已取消" not in wechat.send(WANG, "算了 厨房也漏水")


def test_stopping_said_first_and_again_at_the_end_ends_the_form(wechat: WeChatSim, demo: None) -> None:
    """「算了，邻里邻居的，不投诉了」: whatever is said between, the stopping is said twice."""
    assert "对方在哪里" in wechat.send(WANG, "我要调解邻居纠纷")
    assert "已取消「纠纷调解」" in wechat.send(WANG, "算了，邻里邻居的，不投诉了")
