"""Thanks said while a form waits is thanked back, with the form's question in one short line.

王秀兰 reports a leak; at the confirmation 「好的谢谢」 and 「谢谢师傅」 are no 「是」: nothing is
filed until she says 「是」. Asked what the problem is, 「谢谢啦」 is not taken as the problem.
"""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def test_thanks_at_the_confirmation_is_no_yes(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    assert "请确认报修" in wechat.send("demo-resident-wang", "我家厨房水管漏水了")
    for thanks in ("好的谢谢", "谢谢师傅"):
        reply = wechat.send("demo-resident-wang", thanks)
        assert reply.startswith("不客气") and "「是」" in reply
        assert "请确认报修" not in reply and "没有看懂" not in reply and "\n" not in reply
    assert observed.tickets(TicketKind.repair) == []
    assert "R1001" in wechat.send("demo-resident-wang", "是")


def test_thanks_while_asked_a_question_is_not_the_answer(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    asked = wechat.send("demo-resident-wang", "我要报修")
    reply = wechat.send("demo-resident-wang", "谢谢啦")
    assert reply.startswith("不客气") and "\n" not in reply
    assert asked.splitlines()[0].rstrip("：:。") in reply  # the same question, in one line
    reply = wechat.send("demo-resident-wang", "客厅吸顶灯不亮了")
    assert "谢谢啦" not in reply
