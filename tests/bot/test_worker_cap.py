"""The per-worker cap holds wherever work is given: 派单 / 转单 in chat, the API and the console,
and a worker's own 抢单; past it only with a reason, which the timeline keeps."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.tickets import Ticket, TicketEvent, TicketStatus
from tests.bot.test_web_console import _login
from tests.support.community import person_named, report_repair
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

LEAK = "3栋2单元502卫生间水管漏水"


def _full_plumber(wechat: WeChatSim) -> None:
    """王师傅 (the only plumber) gets five leaks, the cap; R1006 waits for the grid worker."""
    for _ in range(5):
        report_repair(wechat, LEAK)
    report_repair(wechat, "3栋楼道的灯坏了")


def _ticket(session: Session, ticket_id: int) -> Ticket:
    session.rollback()
    return session.exec(select(Ticket).where(Ticket.id == ticket_id)).one()


def test_the_api_refuses_a_dispatch_or_transfer_past_the_cap_without_a_reason(
    app_client: TestClient, admin_headers: dict[str, str], wechat: WeChatSim, demo: None, session: Session
) -> None:
    _full_plumber(wechat)
    wang = person_named(session, "王师傅").id
    refused = app_client.post("/api/v1/tickets/6/dispatch", json={"person_id": wang}, headers=admin_headers)
    assert refused.status_code == 409 and "over_cap_reason" in refused.json()["detail"]
    assert _ticket(session, 6).status == TicketStatus.submitted
    assert "已把 R1006 派给李师傅" in wechat.send("demo-grid-sun", "派单 R1006 李师傅")
    refused = app_client.post("/api/v1/tickets/6/transfer", json={"person_id": wang}, headers=admin_headers)
    assert refused.status_code == 409 and "cap" in refused.json()["detail"]
    assert _ticket(session, 6).assignee_id != wang
    done = app_client.post(
        "/api/v1/tickets/6/transfer",
        json={"person_id": wang, "over_cap_reason": "李师傅病假"},
        headers=admin_headers,
    )
    assert done.status_code == 200 and done.json()["assignee_id"] == wang
    session.rollback()
    notes = session.exec(select(TicketEvent.note).where(TicketEvent.ticket_id == 6)).all()
    assert any("超量转单：李师傅病假" in note for note in notes)


def test_the_console_refuses_a_transfer_past_the_cap_without_a_reason(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    _full_plumber(wechat)
    assert "已把 R1006 派给李师傅" in wechat.send("demo-grid-sun", "派单 R1006 李师傅")
    _login(wechat)
    wang = person_named(session, "王师傅").id
    refused = wechat.client.post("/console/tickets/6/transfer", data={"person_id": wang})
    assert "到上限" in refused.text and "超量原因" in refused.text
    assert _ticket(session, 6).assignee_id != wang
    asked = wechat.client.post(
        "/console/tickets/6/transfer", data={"person_id": wang, "over_cap_reason": "李师傅病假"}
    )
    assert _ticket(session, 6).assignee_id != wang  # asked first: whom it reaches
    done = confirm(wechat.client, asked)
    assert "已转给王师傅" in done.text and _ticket(session, 6).assignee_id == wang


def test_a_worker_at_the_cap_cannot_grab_more(wechat: WeChatSim, demo: None, session: Session) -> None:
    _full_plumber(wechat)
    assert "已达上限" in wechat.send("demo-staff-wang", "抢单 R1006")
    assert _ticket(session, 6).status == TicketStatus.submitted
    assert "已接单 R1001" in wechat.send("demo-staff-wang", "接单 R1001")  # his own: already counted
