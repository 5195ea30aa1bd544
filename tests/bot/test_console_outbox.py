"""消息发送 in the console: failed, retrying and held-back pushes with the reason in Chinese and the
attempts made; filters by state and kind, pages from the database; sending one or every failed
one again after a question (admins only)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.access import ApiRole, AuditEntry, issue_token
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from models.outbox_view import reason
from models.people import Person
from tests.conftest import ADMIN_TOKEN
from tests.support.console import confirm, console_login
from tests.support.wechat import WeChatSim

BANNER = re.compile(r'<div class="(?:flash|error)" role="(?:status|alert)">(.*?)</div>')


def _push(
    engine: Engine,
    clock: ManualClock,
    key: str,
    *,
    kind: str = "ticket",
    state: OutboxStatus = OutboxStatus.dead,
    error: str = "",
    attempts: int = 0,
    later: timedelta = timedelta(0),
    openid: str = "demo-resident-wang",
) -> int:
    now = clock.now()
    with Session(engine) as session, session.begin():
        person = session.exec(select(Person).where(Person.openid == openid)).one()
        message = enqueue(
            session,
            idempotency_key=key,
            text=f"您的工单 {key} 有新进展",
            now=now,
            kind=kind,
            person_id=person.id,
        )
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message.id)
            .values(status=state, last_error=error, attempts=attempts, next_attempt_at=now + later)
        )
        return int(message.id)  # type: ignore[arg-type]


def _confirmed(html: str) -> str:
    found = re.search(r'name="confirmed" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


UNFOLLOWED = "person 5 has unfollowed the Official Account"


def test_problems_show_their_reason_in_chinese_and_filter_by_state_and_kind(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    dead = _push(engine, clock, "d1", error=UNFOLLOWED, attempts=1)
    waiting = _push(
        engine, clock, "w1", kind="notice", state=OutboxStatus.pending, error="mp: timed out (ReadTimeout)",
        attempts=2, later=timedelta(minutes=5),
    )  # fmt: skip
    held = _push(engine, clock, "h1", kind="binding", state=OutboxStatus.pending, later=timedelta(minutes=1))
    sent = _push(engine, clock, "s1", state=OutboxStatus.sent)
    console_login(wechat.client, ADMIN_TOKEN)
    page = wechat.client.get("/console/outbox").text
    for row_id in (dead, waiting, held):
        assert f"<td>{row_id}</td>" in page
    assert f"<td>{sent}</td>" not in page
    assert "对方已取消关注公众号。" in page and "连接微信超时。" in page and "发送太密" in page
    assert "2 次" in page and "王秀兰" in page
    only_dead = wechat.client.get("/console/outbox", params={"status": "dead"}).text
    assert f"<td>{dead}</td>" in only_dead and f"<td>{waiting}</td>" not in only_dead
    notices = wechat.client.get("/console/outbox", params={"kind": "notice"}).text
    assert f"<td>{waiting}</td>" in notices and f"<td>{dead}</td>" not in notices
    assert '<option value="notice" selected>公告</option>' in notices


def test_pages_come_from_the_database(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    for n in range(35):
        _push(engine, clock, f"p{n}", error=UNFOLLOWED)
    console_login(wechat.client, ADMIN_TOKEN)
    first = wechat.client.get("/console/outbox", params={"status": "dead"}).text
    assert "共 35 条，第 1–30 条" in first and 'id="older"' in first
    second = wechat.client.get("/console/outbox", params={"status": "dead", "offset": 30}).text
    assert "第 31–35 条" in second and 'id="newer"' in second


def test_retrying_one_asks_first_then_sends_it_again(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock, session: Session
) -> None:
    dead = _push(engine, clock, "d1", error=UNFOLLOWED, attempts=5)
    console_login(wechat.client, ADMIN_TOKEN)
    asked = wechat.client.post(
        f"/console/outbox/{dead}/retry", data={"back_to": "/console/outbox?status=dead"}
    )
    assert "重发给王秀兰" in asked.text and "上次失败：对方已取消关注公众号。" in asked.text
    assert session.get(OutboxMessage, dead).status == OutboxStatus.dead  # type: ignore[union-attr]
    done = confirm(wechat.client, asked)
    assert str(done.url).endswith("/console/outbox?status=dead")
    banner = BANNER.search(done.text)
    assert banner is not None and f"第 {dead} 条消息已重新排队" in banner.group(1)
    session.rollback()
    again = session.get(OutboxMessage, dead)
    assert again is not None and again.status == OutboxStatus.pending and again.attempts == 0
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "outbox.retry")).one()
    asked = wechat.client.post(f"/console/outbox/{dead}/retry")
    with Session(engine) as writing, writing.begin():  # delivered meanwhile
        writing.execute(
            update(OutboxMessage).where(col(OutboxMessage.id) == dead).values(status=OutboxStatus.sent)
        )
    late = wechat.client.post(f"/console/outbox/{dead}/retry", data={"confirmed": _confirmed(asked.text)})
    assert "请确认" in late.text  # what was asked about has changed: asked again, nothing sent
    twice = confirm(wechat.client, late)
    banner = BANNER.search(twice.text)
    assert banner is not None and "已经发出，不用重发" in banner.group(1)


def test_retrying_every_failed_one_of_a_kind_asks_with_the_reach(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock, session: Session
) -> None:
    tickets = [_push(engine, clock, f"t{n}", error=UNFOLLOWED) for n in range(3)]
    notice = _push(engine, clock, "n1", kind="notice", error=UNFOLLOWED, openid="demo-resident-li")
    console_login(wechat.client, ADMIN_TOKEN)
    asked = wechat.client.post("/console/outbox/retry-failed", data={"kind": "ticket"})
    assert (
        "重发全部 3 条「工单」类发送失败的消息？" in asked.text
        and "会发给 1 位居民或工作人员、0 个楼栋群" in asked.text
    )
    done = confirm(wechat.client, asked)
    banner = BANNER.search(done.text)
    assert banner is not None and "已把 3 条失败的消息重新排队" in banner.group(1)
    session.rollback()
    for row_id in tickets:
        assert session.get(OutboxMessage, row_id).status == OutboxStatus.pending  # type: ignore[union-attr]
    assert session.get(OutboxMessage, notice).status == OutboxStatus.dead  # type: ignore[union-attr]
    row = session.exec(select(AuditEntry).where(AuditEntry.action == "outbox.retry_all")).one()
    assert row.detail == {"kind": "ticket", "rows": 3}


def test_a_secretary_reads_the_outbox_but_does_not_resend(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    dead = _push(engine, clock, "d1", error=UNFOLLOWED)
    with Session(engine) as writing, writing.begin():
        secretary = issue_token(writing, name="周书记", role=ApiRole.secretary, now=clock.now())
    console_login(wechat.client, secretary)
    page = wechat.client.get("/console/outbox").text
    assert f"<td>{dead}</td>" in page and "重发全部" not in page
    assert wechat.client.post(f"/console/outbox/{dead}/retry").status_code == 403


def test_every_delivery_error_reads_as_chinese() -> None:
    raw = [
        "person 3 erased their personal data",
        UNFOLLOWED,
        "person 3 has neither an openid nor a WeCom userid",
        "mp_custom: errcode 45015 response out of time limit",
        "mp_custom: errcode 99999 strange",
        "gave up after 8 attempts: wecom_app: HTTP 502",
        "abandoned by a worker 3 times",
        "robot: ConnectError: [Errno 111] Connection refused",
    ]
    for error in raw:
        said = reason(error)
        assert re.search(r"[\u4e00-\u9fff]", said) and not re.search(r"[a-z]{4,}", said), (error, said)
    assert reason(raw[5]) == "试了 8 次仍失败：发送服务出错（HTTP 502）。"
