"""In a real browser, on a desk and on a phone: a manager sees the emergency first, dispatches it by
skill, logs a phone repair, and exports the month's tickets and 三率 as .xlsx, read back here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.settings import Settings
from models.tickets import Ticket, TicketKind, TicketStatus
from tests.conftest import ADMIN_TOKEN
from tests.support.tickets import file_ticket, hours_ago, reporter

SIZES = {"desk": (1366, 768), "phone": (390, 844)}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _arrange(engine: Engine, settings: Settings, clock: ManualClock) -> dict[str, str]:
    now = clock.now()
    rules = settings.tickets
    zhang = reporter(engine, name="张桂芳", phone="13912345678", now=now)
    for hours in (3, 5, 10):
        file_ticket(engine, rules, reporter_id=zhang, at=hours_ago(now, hours), category="水电")
    late = file_ticket(engine, rules, reporter_id=zhang, at=hours_ago(now, 200), description="楼道堆放杂物")
    lift = file_ticket(
        engine,
        rules,
        reporter_id=zhang,
        at=hours_ago(now, 0.25),
        kind=TicketKind.emergency,
        category="电梯",
        place="3栋电梯",
        description="电梯困人，里面有老人",
    )
    return {"lift": lift.code, "late": late.code, "lift_id": str(lift.id)}


@pytest.mark.parametrize("size", list(SIZES))
def test_a_managers_day_on_a_desk_and_a_phone(
    size: str,
    browser_page: Any,
    shot: Any,
    axe: Any,
    engine: Engine,
    settings: Settings,
    clock: ManualClock,
    demo: None,
    tmp_path: Path,
) -> None:
    page = browser_page
    problems: list[str] = []

    def look(step: str) -> None:
        """A screenshot, and what axe-core and the width say about the page as it stands."""
        shot(step)
        problems.extend(f"{step}: {v}" for v in axe())
        if size == "phone" and (wider := page.evaluate(SIDEWAYS)) > 0:
            problems.append(f"{step}: scrolls sideways by {wider} px")

    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    codes = _arrange(engine, settings, clock)
    page.goto("/console/login")
    page.fill("input[name=token]", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")

    # What needs me now: the emergency is counted first and leads the list it links to.
    first_card = page.locator("#today .today-card").first
    assert "紧急未结" in first_card.inner_text() and first_card.locator(".value").inner_text() == "1"
    assert page.locator("#today-overdue .value").inner_text() == "1"
    look("1-home")
    first_card.click()
    page.wait_for_url("**/console/tickets?kind=emergency")
    assert "共 1 张" in page.inner_text("#total")
    page.goto("/console/tickets")
    first_row = page.locator("#tickets tbody tr").first
    assert "⚠ 紧急" in first_row.inner_text() and codes["lift"] in first_row.inner_text()
    assert codes["late"] in page.locator("#tickets tbody tr").nth(1).inner_text()
    assert "超时" in page.locator("#tickets tbody tr").nth(1).inner_text()
    look("2-list-urgent-first")

    # Dispatch by skill: only the lift repairer, with his load.
    page.click(f"text={codes['lift']}")
    assert "剩1小时" in page.inner_text("#due")
    offered = page.locator("#dispatch-to option").all_inner_texts()
    assert offered == ["李师傅 · 电梯、门禁对讲、停车道闸 · 在办 0 件"]
    assert "周书记" not in page.inner_text("#dispatch-load")
    look("3-dispatch-by-skill")
    page.click("#dispatch")
    assert "李师傅：收到派单消息" in page.inner_text("main")  # asked first: who is told
    look("4-dispatch-confirm")
    page.click("#confirm")
    assert "已派给李师傅" in page.inner_text(".flash")
    assert page.inner_text("#assignee") == "李师傅"
    look("4-dispatched")

    # A resident phones in a repair.
    page.goto("/console/tickets")
    page.click("#new-ticket")
    page.fill("#name", "赵大妈")
    page.fill("#phone", "13700001111")
    page.select_option("#building", "3")
    page.fill("#unit", "2")
    page.fill("#room", "502")
    page.select_option("#category", "管道下水")
    page.fill("#description", "卫生间下水堵了，水漫到客厅")
    look("5-phone-repair-form")
    page.click("#log-ticket")
    flash = page.inner_text(".flash")
    assert "（电话报修）" in flash and "已派给王师傅" in flash
    assert "代居民登记（电话报修）" in page.inner_text(".timeline")
    look("6-phone-repair-logged")
    phoned = flash.split("已登记 ")[1].split("（")[0]

    # The month's tickets and rates, downloaded and read back.
    page.goto("/console/")
    page.click("#month-cards >> text=工单（含投诉）")
    page.wait_for_url("**/console/tickets?state=all&since=2026-11-01&until=2026-11-30")
    assert "共 6 张" in page.inner_text("#total")
    look("7-month-list")
    with page.expect_download() as download:
        page.click("#export-tickets")
    saved = tmp_path / "tickets.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved)["工单"].iter_rows(values_only=True))
    assert rows[0][0] == "单号" and len(rows) == 7
    assert rows[1][0] == codes["lift"] and rows[1][1] == "紧急" and rows[1][11] == "李师傅"
    assert any(r[0] == phoned and r[9] == "赵大妈" and r[10] == "13700001111" for r in rows[1:])
    page.goto("/console/")
    with page.expect_download() as download:
        page.click("#export-stats")
    saved = tmp_path / "rates.xlsx"
    download.value.save_as(saved)
    rates = load_workbook(saved)
    assert rates.sheetnames == ["全社区", "按楼栋", "按网格", "按处理人"]
    handlers = {r[0] for r in rates["按处理人"].iter_rows(min_row=2, values_only=True)}
    assert {"王师傅", "李师傅"} <= handlers
    look("8-home-after")

    assert not problems, "\n".join(problems)
    with Session(engine) as session:
        lift = session.get(Ticket, int(codes["lift_id"]))
        logged = session.exec(select(Ticket).where(Ticket.description == "卫生间下水堵了，水漫到客厅")).one()
    assert lift is not None and lift.status == TicketStatus.dispatched
    assert logged.place == "3栋2单元502" and logged.category == "管道下水"
