"""At a repair's confirm step a question, a vote or a resident command is no correction (report item 6).

「等等 先问下 这个换玻璃是物业出钱还是我自己出」 is answered and the repair offered back with its
own description; 「那我家热水器要不要关」 is a question, not the problem; 「充电桩那个我同意」 goes to
the vote; 「本楼排行」 inside a dispute form is the ranking, not its 诉求.
"""

from __future__ import annotations

import pytest

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


@pytest.mark.parametrize(
    "aside", ["等等 先问下 这个换玻璃是物业出钱还是我自己出", "那我家热水器要不要关", "充电桩那个我同意"]
)
def test_what_is_no_correction_leaves_the_summary_as_it_was(
    wechat: WeChatSim, demo: None, observed: Observed, aside: str
) -> None:
    assert "请确认报修" in wechat.send(WANG, "我家窗户玻璃碎了")
    reply = wechat.send(WANG, aside)
    assert "请确认报修" not in reply and "还没办完" in reply  # answered, and the repair offered back
    back = wechat.send(WANG, "继续")
    assert "问题：我家窗户玻璃碎了" in back and aside not in back
    assert "已登记报修单" in wechat.send(WANG, "是")
    (ticket,) = observed.tickets(TicketKind.repair)
    assert ticket.description == "我家窗户玻璃碎了"


def test_a_resident_command_is_no_answer_to_a_dispute_form(wechat: WeChatSim, demo: None) -> None:
    assert "对方在哪里" in wechat.send(WANG, "我要调解邻居纠纷")
    ranking = wechat.send(WANG, "本楼排行")
    assert "积分" in ranking and "还没办完" in ranking
    assert "对方在哪里" in wechat.send(WANG, "继续")
