"""Dispatch in the console: only people with the skill (or the duty) are offered, with their open load,
and the per-worker cap holds."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.settings import Settings
from models.access import AuditEntry
from models.people import Person
from models.tickets import Ticket, TicketKind, TicketStatus
from tests.bot.test_web_console import _login
from tests.support.console import confirm
from tests.support.tickets import file_ticket, hours_ago, reporter
from tests.support.wechat import WeChatSim


def _offered(html: str) -> list[str]:
    select = re.search(r'<select name="person_id" id="dispatch-to">(.*?)</select>', html, re.S)
    assert select is not None
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def _person(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Person.id).where(Person.name == name)).one()
        assert found is not None
        return found


def test_a_repair_is_offered_to_the_skilled_with_their_load(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = reporter(engine, name="张桂芳", phone="13912345678", now=now)
    for hour in (2, 3):  # → 王师傅, who then has two in hand
        file_ticket(engine, settings.tickets, reporter_id=who, at=hours_ago(now, hour), category="水电")
    gate = file_ticket(engine, settings.tickets, reporter_id=who, at=hours_ago(now, 1), category="门禁对讲")
    assert gate.assignee_id == _person(engine, "李师傅")  # auto-routed to the one with the skill
    lamp = file_ticket(engine, settings.tickets, reporter_id=who, at=now, category="照明")
    assert lamp.status == TicketStatus.submitted  # nobody has 照明: it waits for the office
    _login(wechat)

    page = wechat.client.get(f"/console/tickets/{lamp.id}").text
    assert "没有人登记「照明」技能，以下是全部维修人员。" in page
    assert _offered(page) == [
        "李师傅 · 电梯、门禁对讲、停车道闸 · 在办 1 件",
        "王师傅 · 水电、管道下水、渗漏 · 在办 2 件",
    ]  # the least loaded first
    for nobody in (
        "周书记",
        "吴小燕",
        "赵经理",
        "刘志强",
    ):  # the office and the property lead are not repairers
        assert nobody not in "".join(_offered(page))

    gate_page = wechat.client.get(f"/console/tickets/{gate.id}").text  # transfer: the others
    assert "除当前处理人外没有人登记「门禁对讲」技能" in gate_page

    secretary = _person(engine, "周书记")
    refused = wechat.client.post(f"/console/tickets/{lamp.id}/dispatch", data={"person_id": secretary})
    assert "周书记不在可派的人员里" in refused.text
    asked = wechat.client.post(
        f"/console/tickets/{lamp.id}/dispatch", data={"person_id": _person(engine, "李师傅")}
    )
    assert "派单 R" in asked.text and "李师傅：收到派单消息" in asked.text  # asked first: who is told
    done = confirm(wechat.client, asked)
    assert "已派给李师傅" in done.text and "社区办公室管理员 派单给 李师傅" in done.text
    with Session(engine) as session:
        assert session.exec(select(AuditEntry.action)).all()[-1] == "ticket.dispatch"


def test_a_dispute_is_offered_to_its_mediators(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    who = reporter(engine, name="张桂芳", phone="13912345678", now=clock.now())
    quarrel = file_ticket(engine, settings.tickets, reporter_id=who, at=clock.now(), kind=TicketKind.dispute)
    _login(wechat)
    page = wechat.client.get(f"/console/tickets/{quarrel.id}").text
    transfer = re.search(r'id="transfer-to">(.*?)</select>', page, re.S)
    assert transfer is not None
    names = re.findall(r">([^<·]+) · ", transfer.group(1))
    assert "孙丽" in names and "周书记" in names and "王师傅" not in names


def test_the_cap_holds_and_the_full_are_shown_and_need_a_reason(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    cap = settings.tickets.max_open_per_worker
    now = clock.now()
    who = reporter(engine, name="张桂芳", phone="13912345678", now=now)
    for hour in range(cap):
        file_ticket(
            engine, settings.tickets, reporter_id=who, at=hours_ago(now, hour + 1), category="门禁对讲"
        )
    waiting = file_ticket(engine, settings.tickets, reporter_id=who, at=now, category="门禁对讲")
    assert waiting.status == TicketStatus.submitted  # 李师傅 is at the cap
    _login(wechat)
    page = wechat.client.get(f"/console/tickets/{waiting.id}").text
    assert f"李师傅 · 电梯、门禁对讲、停车道闸 · 已满 {cap} 件" in page
    assert re.search(r'<option value="\d+">李师傅', page)  # pickable, with 超量原因 (fix16)
    li = _person(engine, "李师傅")
    refused = wechat.client.post(f"/console/tickets/{waiting.id}/dispatch", data={"person_id": li})
    assert f"李师傅手上已有 {cap} 张未完成工单，到上限了（{cap} 张）" in refused.text
    with Session(engine) as session:
        stored = session.get(Ticket, waiting.id)
        assert stored is not None and stored.status == TicketStatus.submitted
