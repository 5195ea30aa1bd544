"""One incident is one hazard at one place: a second, different danger from the same person alerts anew.

王秀兰 (3栋) reports smoke in her stairwell, then someone trapped in 1栋's lift, then gas: each is its
own incident, its own ticket and its own alert. Telling the same danger again adds to the open one,
and says which one and who was told; a neighbour telling the same fire joins it too.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def _pushes(session: Session) -> list[str]:
    session.rollback()
    return list(session.exec(select(OutboxMessage.text).order_by(col(OutboxMessage.id))).all())


def test_a_different_danger_elsewhere_is_a_new_incident(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    first = wechat.send("demo-resident-wang", "3栋楼道里好多烟")
    assert "E1001" in first
    wechat.clock.advance(seconds=60)  # type: ignore[attr-defined]
    reply = wechat.send("demo-resident-wang", "1栋电梯里困人了 快来")
    assert "已经在处理" not in reply and "E1002" in reply and "96333" in reply
    assert "马国庆" in observed.alerted()  # 1栋's building head hears of the lift
    wechat.clock.advance(seconds=60)  # type: ignore[attr-defined]
    reply = wechat.send("demo-resident-wang", "2单元楼道里一股煤气味")
    assert "E1003" in reply and "燃气总阀" in reply
    fire, lift, gas = sorted(observed.tickets(TicketKind.emergency), key=lambda t: t.id or 0)
    assert (fire.place, lift.place, gas.place) == (
        "3栋楼道",
        "1栋",
        "3栋2单元楼道",
    )  # not her flat 3栋2单元502


def test_the_same_danger_again_adds_to_it_and_says_so(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-resident-wang", "1栋电梯里困人了 快来")
    alerted = observed.alerted()
    wechat.clock.advance(seconds=60)  # type: ignore[attr-defined]
    again = wechat.send("demo-resident-wang", "1栋电梯里的人还困着 快点来")
    assert "E1001" in again and "已记入" in again and "马国庆" in again
    assert observed.alerted() == alerted  # nobody paged twice
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert "还困着" in ticket.description


def test_a_neighbour_telling_the_same_fire_joins_it(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-resident-wang", "3栋楼道里好多烟 好像着火了")
    alerted = observed.alerted()
    wechat.clock.advance(seconds=90)  # type: ignore[attr-defined]
    reply = wechat.send("passer-by", "3栋冒烟了 好像着火了 我电话13912345678")
    assert "E1001" in reply and "119" in reply
    assert len(observed.tickets(TicketKind.emergency)) == 1
    extra = _pushes(session)[-len(set(alerted)) :]
    assert all("【紧急·补充】E1001" in text and "13912345678" in text for text in extra)


def test_a_call_for_help_in_another_building_is_not_the_fire(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send("demo-resident-wang", "3栋楼道里好多烟")
    wechat.clock.advance(seconds=60)  # type: ignore[attr-defined]
    reply = wechat.send("demo-resident-wang", "1栋有人在喊救命")
    assert "E1002" in reply and "马国庆" in observed.alerted()
    fire, call = sorted(observed.tickets(TicketKind.emergency), key=lambda t: t.id or 0)
    assert fire.place.startswith("3栋") and call.place.startswith("1栋")
