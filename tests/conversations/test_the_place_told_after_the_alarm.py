"""The place of an emergency told after the alarm: the ticket keeps it, and that building is alerted.

A passer-by says only 「楼道里全是烟」; the duty staff are paged at once; the number, then 3栋2单元4楼
come. 3栋's head and grid worker are alerted then, once each, and the ticket shows the place.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.people import Person
from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim


def _first_alerts(session: Session) -> list[str]:
    """Names of the people sent an incident's first alert 【紧急】 (not its additions), one per push."""
    session.rollback()
    rows = session.exec(
        select(Person.name)
        .join(OutboxMessage, OutboxMessage.person_id == Person.id)  # type: ignore[arg-type]
        .where(col(OutboxMessage.text).startswith("【紧急】"))
    )
    return list(rows)


def _pushes(session: Session) -> list[str]:
    session.rollback()
    return list(session.exec(select(OutboxMessage.text).order_by(col(OutboxMessage.id))).all())


def test_the_building_told_later_is_alerted_once(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    reply = wechat.send("passer-by", "楼道里全是烟")
    assert "119" in reply
    assert "陈红梅" not in observed.alerted()
    assert "具体在哪里" in wechat.send("passer-by", "13600001234")
    reply = wechat.send("passer-by", "3栋2单元4楼")
    assert "转告" in reply and "没太明白" not in reply
    alerted = _first_alerts(session)
    assert alerted.count("陈红梅") == 1 and alerted.count("孙丽") == 1  # 3栋's head and grid worker
    assert len(alerted) == len(set(alerted))
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.place == "3栋2单元4楼" and ticket.building_id is not None
    late = [t for t in _pushes(session) if "【紧急】" in t and "3栋2单元4楼" in t]
    assert len(late) == 2 and all("13600001234" in t for t in late)
    pushed = len(_pushes(session))
    wechat.send("passer-by", "3栋2单元4楼")  # told twice: nobody paged again
    assert _first_alerts(session) == alerted and len(_pushes(session)) == pushed


def test_the_unit_and_floor_after_the_building(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    reply = wechat.send("newcomer-900", "5栋楼道里好多烟 好像着火了")
    assert "119" in reply and "电话" in reply
    reply = wechat.send("newcomer-900", "13700001111")
    assert "已把您的电话转告" in reply and "几单元几楼" in reply
    reply = wechat.send("newcomer-900", "2单元3楼")
    assert "转告" in reply and "没太明白" not in reply
    assert "没太明白" not in wechat.send("newcomer-900", "2单元3楼")  # told again
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.place == "5栋2单元3楼"
    assert any("【紧急·补充】" in t and "5栋2单元3楼" in t for t in _pushes(session))


def test_a_bound_resident_adds_the_floor_after_the_alarm(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-resident-wang", "1栋楼道里好多烟")  # she lives in 3栋 and has a phone on record
    reply = wechat.send("demo-resident-wang", "2单元5楼")
    assert "转告" in reply and "没太明白" not in reply
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.place == "1栋2单元5楼"
    assert any("【紧急·补充】" in t and "1栋2单元5楼" in t for t in _pushes(session))


def test_where_it_happened_told_in_words_after_a_fall(
    wechat: WeChatSim, demo: None, observed: Observed, session: Session
) -> None:
    wechat.send("demo-resident-wang", "楼下有个老人摔倒了，头在流血，起不来")
    reply = wechat.send("demo-resident-wang", "在五栋门口的花坛边上")
    assert "转告" in reply and "请先保证安全" not in reply
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.place == "五栋门口的花坛边上"
    assert any("【紧急·补充】" in t and "五栋门口的花坛边上" in t for t in _pushes(session))
