"""「报修」「帮我报修」「投诉噪音」 start a new report; 「报修了吗」 still asks after the earlier one."""

from __future__ import annotations

import pytest

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
ASKS_WHAT = "请简单说说是什么问题"


def test_a_bare_repair_opening_files_a_repair(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    assert ASKS_WHAT in wechat.send(WANG, "报修")
    wechat.send(WANG, "厨房水龙头坏了")
    wechat.send(WANG, "3栋2单元502")
    assert "已登记报修单" in wechat.send(WANG, "是")
    assert len(observed.tickets(TicketKind.repair)) == 1


@pytest.mark.parametrize("opening", ["帮我报修", "嗯 报修", "我要维修", "报修吧"])
def test_other_openings_start_the_repair_form(wechat: WeChatSim, demo: None, opening: str) -> None:
    assert ASKS_WHAT in wechat.send(WANG, opening)


def test_a_complaint_opening_with_its_subject_starts_the_complaint(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "投诉噪音")
    assert "对方在哪里" in reply


@pytest.mark.parametrize("asking", ["报修了吗", "报修两天了还没人来", "报修电话多少"])
def test_asking_after_a_report_opens_no_form(wechat: WeChatSim, demo: None, asking: str) -> None:
    reply = wechat.send(WANG, asking)
    assert ASKS_WHAT not in reply and "请确认报修" not in reply
