"""电话报修 / 来访登记 from the console: the same routing, time limit and pushes as chat, with the actor."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import ApiRole, AuditEntry
from models.outbox import OutboxMessage
from models.people import Person, person_by_openid
from models.tickets import Ticket, TicketStatus
from tests.bot.test_web_console import _login
from tests.bot.test_web_console_pages import _token
from tests.support.wechat import WeChatSim

FORM = {
    "channel": "phone",
    "kind": "repair",
    "name": "张桂芳",
    "phone": "139 1234 5678",
    "building": "3",
    "unit": "2",
    "room": "501",
    "category": "水电",
    "description": "厨房水龙头一直滴水，关不紧",
}


def _pushes(engine: Engine, ticket_id: int) -> dict[int, str]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ticket")).all()
        return {m.person_id: m.text for m in rows if f"R{ticket_id + 1000}" in m.text and m.person_id}


def test_a_phone_repair_is_routed_like_chat_and_names_who_logged_it(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _login(wechat)
    form = wechat.client.get("/console/tickets/new").text
    assert "登记电话/来访报修" in form and 'name="phone"' in form and "required" in form
    done = wechat.client.post("/console/tickets/new", data=FORM)
    assert done.status_code == 200 and "已派给王师傅" in done.text and "（电话报修）" in done.text
    assert "社区办公室管理员 代居民登记（电话报修）" in done.text  # the timeline names who logged it
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        reporter = session.get(Person, ticket.reporter_id)
        wang = session.exec(select(Person).where(Person.name == "王师傅")).one()
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "ticket.intake")).one()
    assert reporter is not None and (reporter.name, reporter.phone, reporter.openid) == (
        "张桂芳",
        "13912345678",
        None,
    )
    assert reporter.room_id is None  # a phone call does not make anyone a householder
    assert ticket.place == "3栋2单元501" and ticket.category == "水电" and ticket.room_id is not None
    assert ticket.status == TicketStatus.dispatched and ticket.assignee_id == wang.id
    assert (ticket.due_at - ticket.created_at).total_seconds() == 24 * 3600  # 水电's time limit
    assert audit.target == f"ticket:{ticket.id}"
    pushes = _pushes(engine, ticket.id)  # type: ignore[arg-type]
    assert "【派单】" in pushes[wang.id] and "张桂芳（电话 13912345678）" in pushes[wang.id]
    assert reporter.id not in pushes  # no WeChat: nothing is pushed to them, nothing fails


def test_a_known_resident_is_found_by_phone_and_told_in_chat(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    _login(wechat)
    wechat.client.post(
        "/console/tickets/new",
        data={**FORM, "name": "王阿姨", "phone": "13803510001", "room": "502", "channel": "walk_in"},
    )
    with Session(engine) as session:
        wang = person_by_openid(session, "demo-resident-wang")
        ticket = session.exec(select(Ticket)).one()
    assert wang is not None and ticket.reporter_id == wang.id
    assert "已派给物业王师傅" in _pushes(engine, ticket.id)[wang.id]  # type: ignore[arg-type,index]


def test_a_bad_report_is_refused_in_chinese_with_what_was_typed(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    _login(wechat)
    bad_phone = wechat.client.post("/console/tickets/new", data={**FORM, "phone": "12345"})
    assert bad_phone.status_code == 422 and "电话号码格式不对" in bad_phone.text
    assert "厨房水龙头一直滴水" in bad_phone.text and 'aria-invalid="true"' in bad_phone.text
    no_room = wechat.client.post("/console/tickets/new", data={**FORM, "room": "9999"})
    assert no_room.status_code == 422 and "房屋信息中没有「3栋2单元9999」" in no_room.text
    empty = wechat.client.post("/console/tickets/new", data={**FORM, "description": "  "})
    assert "请写明要修什么" in empty.text
    with Session(engine) as session:
        assert session.exec(select(Ticket)).all() == []


def test_a_grid_worker_logs_reports_for_their_own_grid_only(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _login(wechat, _token(engine, clock, "demo-grid-sun", ApiRole.grid_worker))
    form = wechat.client.get("/console/tickets/new").text
    refused = wechat.client.post(
        "/console/tickets/new", data={**FORM, "building": "1", "unit": "", "room": ""}
    )
    assert refused.status_code == 422 and "不在您的网格内" in refused.text
    with Session(engine) as session:
        assert session.exec(select(Ticket)).all() == []
    assert '<option value="1"' not in form and '<option value="5"' in form
    done = wechat.client.post("/console/tickets/new", data={**FORM, "room": "", "unit": "", "spot": "电梯"})
    assert "已登记" in done.text and "网格员孙丽 代居民登记" in done.text
