"""In a real browser: an office admin logs in, dispatches a resident's repair, posts a notice, logs out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.notices import Notice, NoticeStatus
from models.outbox import OutboxMessage
from models.people import Person, person_by_openid
from models.tickets import Ticket, TicketStatus
from tests.conftest import ADMIN_TOKEN
from tests.support.wechat import WeChatSim


def test_log_in_dispatch_a_ticket_and_post_a_notice(
    browser_page: Any, shot: Any, wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    page = browser_page
    wechat.send("demo-resident-wang", "楼道灯坏了")
    wechat.send("demo-resident-wang", "是")
    with Session(engine) as session:
        reporter = person_by_openid(session, "demo-resident-wang")
        ticket = session.exec(select(Ticket).where(Ticket.reporter_id == reporter.id)).one()  # type: ignore[union-attr]
    assert ticket.status == TicketStatus.submitted  # waiting for the office to dispatch it

    page.goto("/console/")
    assert page.url.endswith("/console/login")
    page.fill("input[name=token]", "wrong")
    page.click("button[type=submit]")
    assert "令牌不正确" in page.inner_text("body")
    page.fill("input[name=token]", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    assert "阳光里社区" in page.inner_text("header") and "响应率" in page.inner_text("main")
    assert page.locator("section.panel h3").count() == 9 and page.locator("svg.chart").count() >= 4
    shot("1-dashboard")

    page.click("nav >> text=工单")
    page.click(f"text={ticket.code}")
    assert "待派单" in page.inner_text("#status")
    assert "没有人登记「照明」技能" in page.inner_text("#dispatch-who")  # so every repairer is offered
    page.select_option("#dispatch-to", label="王师傅 · 水电、管道下水、渗漏 · 在办 0 件")
    shot("2-ticket-before")
    page.click("#dispatch")
    assert "王师傅：收到派单消息" in page.inner_text("main")  # asked first: who is told
    page.click("#confirm")
    assert "已派给王师傅" in page.inner_text(".flash")
    assert page.inner_text("#status") == "已派单" and page.inner_text("#assignee") == "王师傅"
    assert "派单" in page.inner_text(".timeline")
    shot("3-ticket-dispatched")

    page.click("nav >> text=公告")
    page.fill("#title", "停水通知")
    page.fill("#body", "11月24日9:00-12:00，3栋因管道检修停水，请提前储水。")
    page.check("input[name=scope][value=buildings]")
    page.check("input[name=buildings][value='3']")
    page.click("#preview")
    assert "将发送到 1 个楼栋群、4 位居民" in page.inner_text("#reach")
    shot("4-notice-preview")
    page.click("#send")
    assert "公告「停水通知」已发布：1 个楼栋群，4 位居民" in page.inner_text(".flash")
    assert "停水通知" in page.inner_text("#notices")
    shot("5-notice-posted")

    page.click("header >> text=退出")  # logging out ends the session on the server
    page.wait_for_url("**/console/login")
    page.goto("/console/tickets")
    assert page.url.endswith("/console/login")

    with Session(engine) as session:
        wang = session.exec(select(Person).where(Person.name == "王师傅")).one()
        stored = session.get(Ticket, ticket.id)
        notice = session.exec(select(Notice)).one()
        pushes = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()
    assert stored is not None and stored.assignee_id == wang.id
    assert notice.status == NoticeStatus.published and len(pushes) == 5
