"""Changing one's mind at a confirm step, in everyday words (stranger report item 8).

A correction (「…改成后天上午」) updates the slot and shows the summary again; 「那就报吧」
「找人来看吧」 go ahead; 「哦不对 我周六晚上没空 不报了」 stops; a ticket named with words of
stopping (「R1001不用来了 我自己修好了」) is offered for cancelling and 「对 取消吧」 cancels it;
「算了不用了」 right after 「转人工」 withdraws the hand-off, not an older form.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.outbox import OutboxMessage
from models.tickets import TicketKind, TicketStatus
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_a_correction_updates_the_time_and_shows_the_summary_again(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    first = wechat.send(WANG, "楼道灯不亮 3栋2单元 明天下午来修")
    assert "请确认报修" in first and "下午" in first
    again = wechat.send(WANG, "不对不对 我刚想起来下午要去医院 改成后天上午")
    assert "请确认报修" in again and "上午" in again and "下午" not in again.split("期望时间")[1]
    assert "R1" in wechat.send(WANG, "是")
    (ticket,) = observed.tickets(TicketKind.repair)
    assert "上午" in (ticket.preferred_time or "")


@pytest.mark.parametrize("go_ahead", ["那就报吧", "找人来看吧"])
def test_going_ahead_in_everyday_words_files_it(
    wechat: WeChatSim, demo: None, observed: Observed, go_ahead: str
) -> None:
    assert "请确认报修" in wechat.send(WANG, "厨房水管漏水 3栋2单元")
    assert "已登记报修单" in wechat.send(WANG, go_ahead)
    assert len(observed.tickets(TicketKind.repair)) == 1


def test_stopping_with_the_reason_told_first_stops(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    assert "请确认报修" in wechat.send(WANG, "厨房水管漏水 3栋2单元")
    assert "已取消「报修」" in wechat.send(WANG, "哦不对 我周六晚上没空 不报了")
    assert observed.tickets(TicketKind.repair) == []


def test_a_ticket_named_with_stopping_words_is_offered_for_cancelling(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    filed = wechat.send(WANG, "厨房水管漏水 3栋2单元")
    filed = wechat.send(WANG, "是")
    code = re.search(r"R\d{4}", filed)
    assert code is not None
    offer = wechat.send(WANG, f"那个修水管的{code.group(0)}不用来了 我自己修好了")
    assert f"要取消 {code.group(0)}" in offer
    assert observed.tickets(TicketKind.repair)[0].status is not TicketStatus.cancelled
    assert f"已取消 {code.group(0)}" in wechat.send(WANG, "对 取消吧")
    assert observed.tickets(TicketKind.repair)[0].status is TicketStatus.cancelled


def test_stopping_right_after_a_hand_off_withdraws_it(wechat: WeChatSim, demo: None, engine: Engine) -> None:
    wechat.send(WANG, "我要调解邻居纠纷")
    assert "楼栋长" in wechat.send(WANG, "转人工")
    withdrawn = wechat.send(WANG, "算了不用了")
    assert "不用联系您了" in withdrawn and "已取消「纠纷调解」" not in withdrawn
    with Session(engine) as session:
        pushes = session.exec(select(OutboxMessage.text).where(OutboxMessage.kind == "handoff")).all()
    assert len(pushes) == 2 and "已撤回" in pushes[1]
    assert "纠纷调解" in wechat.send(WANG, "继续")  # the older form is still there
