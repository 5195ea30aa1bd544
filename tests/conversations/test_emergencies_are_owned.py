"""An emergency belongs to the people it was pushed to until one of them takes it.

It is in their 「我的任务」 with 「接单」, and the others hear who took it; the secretary asks in plain words what needs attention
today, or which emergencies nobody has taken, and gets them with the overdue and waiting counts.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.people import Person
from tests.support.wechat import WeChatSim


def _pushes_to(session: Session, name: str) -> list[str]:
    session.rollback()
    person = session.exec(select(Person).where(Person.name == name)).one()
    rows = session.exec(
        select(OutboxMessage.text).where(OutboxMessage.person_id == person.id).order_by(col(OutboxMessage.id))
    )
    return list(rows)


def test_the_alerted_see_it_in_their_tasks_until_taken(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send("demo-resident-wang", "3栋楼道里好多烟")
    for who in ("demo-head-chen", "demo-grid-sun", "demo-staff-wang", "demo-secretary-zhou"):
        tasks = wechat.send(who, "我的任务")
        assert "E1001" in tasks and "接单 E1001" in tasks, (who, tasks)
    assert "E1001" not in wechat.send("demo-grid-liu", "我的任务")  # 1栋/2栋's grid worker was not paged
    assert "已接单 E1001" in wechat.send("demo-head-chen", "接单 E1001")
    assert "E1001" in wechat.send("demo-head-chen", "我的任务")  # hers now
    taken = _pushes_to(session, "王师傅")[-1]
    assert "【已接手】E1001" in taken and "陈红梅" in taken
    assert not any("【已接手】" in t for t in _pushes_to(session, "陈红梅"))
    assert "E1001" not in wechat.send("demo-staff-wang", "我的任务")


def test_the_secretary_asks_what_needs_attention(wechat: WeChatSim, demo: None) -> None:
    wechat.send("demo-resident-wang", "3栋楼道里好多烟")
    for question in ("今天有什么要我处理的", "现在有哪些紧急求助没人接"):
        reply = wechat.send("demo-secretary-zhou", question)
        assert "E1001" in reply and "没人接" in reply, (question, reply)
        assert "民法典" not in reply and "您还没有报修" not in reply
    reply = wechat.send("demo-secretary-zhou", "今天有什么要我处理的")
    assert "超期" in reply and "待派单" in reply
    wechat.send("demo-staff-wang", "接单 E1001")
    assert "E1001" not in wechat.send("demo-secretary-zhou", "现在有哪些紧急求助没人接")
