"""After the alarm, what the reporter says about their own safety is no new incident.

王秀兰 reports a fire; 「好的我们下楼了」 and 「我已经开窗出来了，在楼下等」 are answered with
reassurance and the duty phone, and nobody is paged again. 「我把门反锁了」 and 「孩子还在里面」
go on the same incident and to everyone already alerted. A different danger told next (gas in
another building) is still its own incident.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

DUTY_PHONE = "0351-6012345"


def _pushes(session: Session) -> list[str]:
    session.rollback()
    return list(session.exec(select(OutboxMessage.text).order_by(col(OutboxMessage.id))).all())


def test_being_safe_is_acknowledged_not_alarmed(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-resident-wang", "楼下冒烟了，好像是车棚里电动车着火了")
    pushed = len(_pushes(session))
    for said in ("好的我们下楼了", "我已经开窗出来了，在楼下等"):
        wechat.clock.advance(seconds=30)  # type: ignore[attr-defined]
        reply = wechat.send("demo-resident-wang", said)
        assert "安全" in reply and DUTY_PHONE in reply and "没太明白" not in reply
        assert "已通知" not in reply  # no alarm raised again
    assert len(_pushes(session)) == pushed  # nobody paged or told again
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert "在楼下等" in ticket.description


def test_what_still_matters_goes_to_the_responders(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-resident-wang", "有个男的一直在砸我家门，说要弄死我，快来人")
    alerted = observed.alerted()
    wechat.clock.advance(seconds=30)  # type: ignore[attr-defined]
    reply = wechat.send("demo-resident-wang", "我把门反锁了")
    assert "E1001" in reply and "转告" in reply and DUTY_PHONE in reply
    wechat.clock.advance(seconds=30)  # type: ignore[attr-defined]
    wechat.send("demo-resident-wang", "孩子还在里面")
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert "我把门反锁了" in ticket.description and "孩子还在里面" in ticket.description
    told = [t for t in _pushes(session) if t.startswith("【紧急·补充】E1001")]
    assert len(told) == 2 * len(set(alerted))
    assert all("报告人补充" in t for t in told)


def test_a_new_danger_after_the_alarm_is_still_a_new_incident(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send("demo-resident-wang", "3栋楼道里好多烟 好像着火了")
    wechat.clock.advance(seconds=60)  # type: ignore[attr-defined]
    wechat.send("demo-resident-wang", "好的我们下楼了")
    wechat.clock.advance(seconds=60)  # type: ignore[attr-defined]
    reply = wechat.send("demo-resident-wang", "1栋电梯里困人了 快来")
    assert "E1002" in reply and "96333" in reply
    assert len(observed.tickets(TicketKind.emergency)) == 2
