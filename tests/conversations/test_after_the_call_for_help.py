"""What a resident says after asking for a person, after an alarm, or first of all, is taken as such.

From set 12's conversations: a phone number right after 「喊个人给我打个电话」 reaches whoever was
asked to call back; 「已经打了120」 after a fall is the same incident (no second alarm); a newcomer's
「我住2栋2单元301，刚搬来租房子的」 registers them as a tenant.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def _pushes(engine: Engine, kind: str) -> list[str]:
    with Session(engine) as session:
        query = select(OutboxMessage.text).where(OutboxMessage.kind == kind)
        return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def test_a_number_after_asking_for_a_person_reaches_them(
    wechat: WeChatSim, demo: None, engine: Engine
) -> None:
    assert "尽快联系您" in wechat.send(WANG, "停电那个怎么搞 喊个人给我打个电话")
    reply = wechat.send(WANG, "你让他给我打电话嘛我的电话是一三九零八七六五四三二")
    assert "13908765432" in reply and "没太明白" not in reply
    assert any("13908765432" in text for text in _pushes(engine, "handoff"))


def test_a_number_with_nobody_asked_is_not_sent_to_anyone(
    wechat: WeChatSim, demo: None, engine: Engine
) -> None:
    wechat.send(WANG, "你好")
    wechat.send(WANG, "13971234567 我姓王")
    assert not any("13971234567" in text for text in _pushes(engine, "handoff"))


def test_calling_an_ambulance_after_a_fall_is_the_same_incident(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    assert "E10" in wechat.send(WANG, "我妈摔到了起不来")
    alerted = len(observed.alerted())
    reply = wechat.send(WANG, "已经打了120，谢谢")
    assert "已记入" in reply
    assert len(observed.tickets(TicketKind.emergency)) == 1
    assert len(observed.alerted()) == alerted  # no second full alarm


def test_a_newcomer_who_says_where_they_rent_is_registered(wechat: WeChatSim, demo: None) -> None:
    newcomer = "newcomer-renting"
    wechat.send(newcomer, "你好，最近社区有什么活动吗")
    reply = wechat.send(newcomer, "我住2栋2单元301，刚搬来租房子的")
    assert "2栋2单元301" in reply and "租户" in reply


def test_a_number_given_after_an_alarm_goes_to_the_incident(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "对门501的周爷爷一个人住，我三天没看到他了，敲门没人应，屋里灯一直亮着")
    reply = wechat.send(WANG, "13890012345，姓周")
    assert "已把您说的记入紧急求助" in reply and "没太明白" not in reply
    assert len(observed.tickets(TicketKind.emergency)) == 1
