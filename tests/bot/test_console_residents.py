"""居民查询 in the console: find a resident by name, phone or address; their file (homes, binding
history with who and when, tickets, points); unbinding a home after one question; decisions that
fail say why in Chinese."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import AuditEntry
from models.outbox import OutboxMessage
from models.people import BindingRequest, BindingStatus, Person
from models.points import PointSource, credit
from models.residency import Residency, ResidencyStatus
from models.tickets import TicketKind, create_ticket
from tests.support.console import confirm, console_login
from tests.support.wechat import WeChatSim

ENGLISH = re.compile(r"\b(not found|already|room_id|request)\b")


def _person(session: Session, openid: str) -> Person:
    found = session.exec(select(Person).where(Person.openid == openid)).one()
    return found


def test_a_resident_is_found_by_name_phone_or_address(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    console_login(wechat.client, "test-admin-token-0123456789")
    by_name = wechat.client.get("/console/residents", params={"q": "王秀兰"}).text
    assert "王秀兰" in by_name and "3栋2单元502" in by_name and "李建国" not in by_name
    by_phone = wechat.client.get("/console/residents", params={"q": "13803510002"}).text
    assert "李建国" in by_phone and "王秀兰" not in by_phone
    by_address = wechat.client.get("/console/residents", params={"q": "3栋2单元502"}).text
    assert "王秀兰" in by_address and "李建国" not in by_address
    dashed = wechat.client.get("/console/residents", params={"q": "1-1-301"}).text
    assert "李建国" in dashed and "王秀兰" not in dashed
    nobody = wechat.client.get("/console/residents", params={"q": "没有这个人"}).text
    assert "没有找到「没有这个人」" in nobody
    everyone = wechat.client.get("/console/residents").text
    assert "刘志强" not in everyone  # a grid worker is no resident


def test_a_residents_file_shows_homes_history_tickets_and_points(
    wechat: WeChatSim, demo: None, session: Session, engine: Engine, clock: ManualClock
) -> None:
    wang = _person(session, "demo-resident-wang")
    assert wang.id is not None
    now = clock.now()
    with Session(engine) as writing, writing.begin():
        ticket = create_ticket(
            writing,
            kind=TicketKind.repair,
            reporter_id=wang.id,
            due_at=now,
            now=now,
            category="水电",
        )
        code, ticket_id = ticket.code, ticket.id
        credit(
            writing, person_id=wang.id, amount=5, reason="参加清洁活动", source=PointSource.activity, now=now
        )
    wechat.send("family", "我住3栋2单元502")  # a claim the admin will verify
    console_login(wechat.client, "test-admin-token-0123456789")
    page = wechat.client.get(f"/console/residents/{wang.id}").text
    assert "3栋2单元502" in page and "已核实" in page and "物业导入" in page
    assert f'<a href="/console/tickets/{ticket_id}">{code}</a>' in page and "待派单" in page
    assert "余额 5 分" in page and "参加清洁活动" in page and "+5" in page
    session.rollback()
    claim = session.exec(select(Residency).where(Residency.status == ResidencyStatus.claimed)).one()
    confirm(wechat.client, wechat.client.post(f"/console/residencies/{claim.id}/verify"))
    family = session.get(Person, claim.person_id)
    assert family is not None
    history = wechat.client.get(f"/console/residents/{family.id}").text
    assert f"登记 {claim.code}" in history and f"核实通过 {claim.code}" in history
    assert "管理员" in history  # who verified it


def test_unbinding_a_home_asks_first_then_tells_the_resident_and_is_audited(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    console_login(wechat.client, "test-admin-token-0123456789")
    wang = _person(session, "demo-resident-wang")
    home = session.exec(
        select(Residency).where(Residency.person_id == wang.id, Residency.status == ResidencyStatus.verified)
    ).one()
    url = f"/console/residents/{wang.id}/homes/{home.id}/unbind"
    asked = wechat.client.post(url, data={"note": "已搬走"})
    assert "解除王秀兰与 3栋2单元502 的绑定？" in asked.text and "会在微信里收到通知（1 人）" in asked.text
    session.rollback()
    assert session.get(Residency, home.id).status == ResidencyStatus.verified  # type: ignore[union-attr]
    done = confirm(wechat.client, asked)
    assert f"已解除 {home.code} 的绑定" in done.text
    assert "解除 " + home.code in done.text  # the history names the ending
    session.rollback()
    ended = session.get(Residency, home.id)
    assert ended is not None and ended.status == ResidencyStatus.ended
    assert session.get(Person, wang.id).room_id is None  # type: ignore[union-attr]
    told = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == wang.id)).all()
    assert any("绑定已由物业解除" in m.text for m in told)
    row = session.exec(select(AuditEntry).where(AuditEntry.action == "residency.unbind")).one()
    assert row.target == f"residency:{home.id}" and row.detail["note"] == "已搬走"
    again = confirm(wechat.client, wechat.client.post(url, data={"note": "已搬走"}))
    assert "没有解除" in again.text and "已解除，不能再解除" in again.text


def test_a_binding_decision_that_fails_says_why_in_chinese(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send("family", "绑定")
    wechat.send("family", "3栋2单元1502")  # no such flat on file
    console_login(wechat.client, "test-admin-token-0123456789")
    request_id = session.exec(select(BindingRequest.id)).one()
    done = confirm(wechat.client, wechat.client.post(f"/console/bindings/{request_id}/approve"))
    banner = re.search(r'<div class="error" role="alert">(.*?)</div>', done.text)
    assert banner is not None, done.text[:3000]
    assert "房屋信息里还没有 3栋2单元1502" in banner.group(1)
    assert not ENGLISH.search(banner.group(1)), banner.group(1)
    session.rollback()
    request = session.get(BindingRequest, request_id)
    assert request is not None and request.status == BindingStatus.pending
    history = wechat.client.get(f"/console/residents/{request.person_id}").text
    assert f"申请绑定 #{request_id}：3栋2单元1502（待审核）" in history


def test_only_the_office_opens_resident_pages_and_only_admins_unbind(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    console_login(wechat.client, "test-admin-token-0123456789")
    assert wechat.client.get("/console/residents/999999").status_code == 404
    grid = _person(session, "demo-grid-liu")
    missing = wechat.client.get(f"/console/residents/{grid.id}")
    assert missing.status_code == 404 and "没有这位居民" in missing.text
