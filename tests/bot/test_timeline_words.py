"""The ticket timeline names who acted and says what happened in words, in chat, the API and the console.

A grid worker transfers with their personal token, the office dispatches from the console with the
config token, a worker accepts in WeCom and the scheduler escalates: each step names its actor
(never 「系统」 for a person or the office) and no internal key, status value or level number shows.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import ApiRole, AuditEntry, issue_token
from models.people import Person, person_by_openid
from models.sla import escalate_overdue
from models.tickets import Ticket, TicketStatus
from tests.bot.test_web_console import _login
from tests.support.console import confirm
from tests.support.wechat import WeChatSim, WeComSim

INTERNAL = re.compile(
    r"\b(submit|dispatch|dispatched|transfer|accept|accepted|grab|escalate|assigned|submitted|"
    r"in_progress|reopened|auto_close|followup|None|null)\b|level\s*\d|\d\s*→\s*\d|grid_worker|config-token",
    re.I,
)


def _person(engine: Engine, name: str) -> Person:
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(select(Person).where(Person.name == name)).one()


def test_each_step_names_its_actor_in_words(
    wechat: WeChatSim, wecom: WeComSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    wechat.send("demo-resident-li", "我家楼道的灯坏了")  # 照明: nobody has the skill, it waits
    wechat.send("demo-resident-li", "是")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        reporter = person_by_openid(session, "demo-resident-li")
        ticket = session.exec(select(Ticket).where(Ticket.reporter_id == reporter.id)).one()  # type: ignore[union-attr]
        assert ticket.status == TicketStatus.submitted
        grid = person_by_openid(session, "demo-grid-liu")
        token = issue_token(
            session, name="刘志强的令牌", role=ApiRole.grid_worker, person=grid, now=clock.now()
        )
    wang, li = _person(engine, "王师傅"), _person(engine, "李师傅")

    _login(wechat)  # the config-file token: 「社区办公室管理员」
    asked = wechat.client.post(f"/console/tickets/{ticket.id}/dispatch", data={"person_id": wang.id})
    done = confirm(wechat.client, asked)
    assert "已派给王师傅" in done.text
    moved = wechat.client.post(
        f"/api/v1/tickets/{ticket.id}/transfer",
        json={"person_id": li.id, "note": "门口的灯归李师傅"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert moved.status_code == 200, moved.text
    assert "已接单" in wecom.send("wx-lishifu", f"接单 {ticket.code}")
    clock.advance(timedelta(days=20))
    with Session(engine) as session, session.begin():
        assert escalate_overdue(session, now=clock.now()) == 1

    expected = [
        "居民李",  # the reporter (their name follows)
        "社区办公室管理员 派单给 王师傅",
        "网格员刘志强 转派给 李师傅",
        "李师傅 接单",
        "系统（超时督办） 超时升级至社区书记",
    ]
    api = wechat.client.get(f"/api/v1/tickets/{ticket.id}", headers={"Authorization": f"Bearer {token}"})
    steps = [f"{e['who']} {e['what']}" for e in api.json()["timeline"]]
    assert len(steps) == len(expected) and all(s.startswith(e) for s, e in zip(steps, expected, strict=True))
    assert api.json()["timeline"][2]["note"] == "门口的灯归李师傅"
    words = [e[k] for e in api.json()["timeline"] for k in ("who", "what", "status", "note")]
    assert not INTERNAL.search(json.dumps(words, ensure_ascii=False))

    wechat.client.headers.pop("X-CSRF-Token")
    _login(wechat)  # the earlier session has ended in the meantime
    page = wechat.client.get(f"/console/tickets/{ticket.id}").text
    timeline = page[page.index('<ul class="timeline">') : page.index("</ul>", page.index('class="timeline"'))]
    assert all(e in timeline for e in expected), timeline
    assert "系统 " not in timeline.replace("系统（", "") and not INTERNAL.search(timeline)

    reply = wechat.send("demo-resident-li", f"{ticket.code} 进度怎么样了")
    assert "办理经过" in reply and all(e in reply for e in expected[1:]), reply
    assert "您 提交" in reply and not INTERNAL.search(reply)

    with Session(engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.target == f"ticket:{ticket.id}")).all()
    assert [(r.action, r.actor_name, r.actor_person_id) for r in rows] == [
        ("ticket.dispatch", "社区办公室管理员", None),
        ("ticket.transfer", "网格员刘志强", _person(engine, "刘志强").id),
    ]
