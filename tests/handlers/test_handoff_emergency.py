"""「转人工」 and emergencies: the right people are told, in words they can act on."""

from __future__ import annotations

from sqlmodel import Session, select

from models.outbox import OutboxMessage
from models.people import Person
from tests.support.wechat import WeChatSim


def _pushes(session: Session, kind: str) -> dict[str, str]:
    rows = session.exec(
        select(OutboxMessage, Person).join(Person).where(OutboxMessage.kind == kind)  # type: ignore[arg-type]
    ).all()
    return {person.name: message.text for message, person in rows}


def test_handoff_asks_the_building_head_to_call_back(wechat: WeChatSim, demo: None, session: Session) -> None:
    reply = wechat.send("demo-resident-wang", "我要找人工")
    assert "楼栋长陈红梅" in reply and "0351-6012345" in reply
    pushes = _pushes(session, "handoff")
    assert list(pushes) == ["陈红梅"]
    assert "王秀兰（3栋2单元502，电话 13803510001）" in pushes["陈红梅"]


def test_handoff_from_someone_without_a_name_describes_their_home(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send("newcomer", "绑定")
    wechat.send("newcomer", "2栋1单元402")
    wechat.send("newcomer", "转人工")
    pushes = _pushes(session, "handoff")
    assert pushes["刘志强"].startswith("2栋1单元402的居民请求人工联系")


def test_emergency_reply_says_what_to_do_and_alerts_everyone_on_duty(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    reply = wechat.voice("demo-resident-wang", "我家老人摔倒了起不来快来人")
    assert "不要急着扶起" in reply and "120" in reply and "0351-6012345" in reply  # guidance for a fall
    assert "119" not in reply  # not a list of every danger there is
    pushes = _pushes(session, "emergency")
    assert {"陈红梅", "孙丽", "王师傅", "李师傅", "周书记"} <= set(pushes)
    assert all(text.startswith("【紧急】3栋2单元502：王秀兰") for text in pushes.values())


def test_a_retried_emergency_alerts_once(wechat: WeChatSim, demo: None, session: Session) -> None:
    msg_id = wechat.next_msg_id()
    for _ in range(3):
        wechat.send("demo-resident-wang", "厨房着火了", msg_id=msg_id)
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "emergency")).all()
    assert len(rows) == len({row.person_id for row in rows}) >= 4


def test_saying_only_where_you_live_is_never_an_alarm(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    # The classifier calls 「我住3栋502」 an emergency (about 0.5) with no word of danger in it.
    reply = wechat.send("newcomer", "我住3栋502")
    assert "请先保证安全" not in reply and "几单元" in reply  # binding: 3栋 has units
    reply = wechat.send("demo-resident-wang", "我在3栋502")  # already bound: asked what they need
    assert "请先保证安全" not in reply and "没太明白" in reply
    assert _pushes(session, "emergency") == {}


def test_an_address_with_a_danger_in_it_still_raises_the_alarm(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    reply = wechat.send("newcomer", "3栋502着火了")
    assert "请先保证安全" in reply
    assert _pushes(session, "emergency")
