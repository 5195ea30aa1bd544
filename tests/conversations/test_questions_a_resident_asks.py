"""Questions from a stranger's trial (2026-12-01 §11, §13) are answered, not met with 「不太确定」.

Safety questions asked ahead of time get the advice an alarm gives and raise no alarm; a scam at
the door, where last month's money went, what a 微心愿 is and whether a yellow wall matters are
answered; a row of angry faces is asked what happened.
"""

from __future__ import annotations

from handlers.safety import GUIDANCE
from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
HOTLINE = "0351-6012345"
UNSURE = "不太确定"


def test_a_gas_leak_asked_about_gets_the_alarm_advice_and_no_alarm(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send(WANG, "如果家里燃气泄漏了应该怎么办")
    assert GUIDANCE["gas"] in reply and HOTLINE in reply
    assert UNSURE not in reply
    assert observed.alerted() == [] and observed.tickets(TicketKind.emergency) == []


def test_being_stuck_in_a_lift_asked_about_gets_whom_to_call_and_no_alarm(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send(WANG, "要是半夜电梯突然停了人被关在里面该打什么电话")
    assert GUIDANCE["lift"] in reply and HOTLINE in reply
    assert UNSURE not in reply
    assert observed.alerted() == [] and observed.tickets(TicketKind.emergency) == []


def test_a_gas_meter_swap_for_cash_at_the_door_is_called_a_likely_scam(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send(WANG, "有人敲门说要换燃气表 收两百块 是不是骗子啊")
    assert "骗子" in reply and "现金" in reply and "核实" in reply and HOTLINE in reply
    assert UNSURE not in reply
    assert observed.alerted() == []


def test_where_last_months_money_went_is_the_ledger(wechat: WeChatSim, demo: None) -> None:
    asked = wechat.send(WANG, "上个月物业收了多少钱 都花哪了")
    assert asked == wechat.send(WANG, "上月收支公开")
    assert UNSURE not in asked


def test_what_a_wish_is_is_explained_not_started(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "微心愿是啥")
    assert "党员" in reply and "我有个微心愿" in reply
    assert "您想请党员帮您做点什么" not in reply
    assert "党员" in wechat.send(WANG, "我有个微心愿")  # making one still starts the form


def test_whether_a_yellow_wall_matters_is_answered_with_an_offer_to_file(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = wechat.send(WANG, "不是漏水啊 就是墙皮有点发黄 想问问要不要紧")
    assert "请确认报修" not in reply and UNSURE not in reply
    assert "不要紧" in reply and "报修" in reply
    assert observed.tickets(TicketKind.repair) == []
    assert "请确认报修" in wechat.send(WANG, "卧室墙面渗水")  # the way to file it that the answer names


def test_angry_faces_are_asked_what_happened_not_greeted(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "😡😡😡")
    assert "发生什么事" in reply
    assert "您好，有什么需要" not in reply
