"""Console exports: the filtered ticket list and a month's 三率 as .xlsx, read back with openpyxl."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.settings import Settings
from models.access import AuditEntry
from tests.bot.test_console_queue import _day
from tests.bot.test_web_console import _login
from tests.support.tickets import file_ticket, hours_ago, reporter
from tests.support.wechat import WeChatSim


def test_the_filtered_list_downloads_as_xlsx(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    codes = _day(engine, settings, clock)
    _login(wechat)
    response = wechat.client.get("/console/tickets/export.xlsx?state=all")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(BytesIO(response.content))["工单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("单号", "类型", "状态", "剩余时间")
    assert [r[0] for r in rows[1:]] == [codes["alarm"], codes["late"], codes["soon"], codes["gripe"]]
    assert rows[1][1] == "紧急" and rows[2][3] == "超时2小时"
    assert {r[9] for r in rows[1:]} == {"张桂芳"} and {r[10] for r in rows[1:]} == {"13912345678"}
    only = load_workbook(BytesIO(wechat.client.get("/console/tickets/export.xlsx?kind=complaint").content))
    assert [r[0] for r in only["工单"].iter_rows(min_row=2, values_only=True)] == [codes["gripe"]]
    with Session(engine) as session:
        assert [e.action for e in session.exec(select(AuditEntry))][-2:] == ["tickets.export"] * 2


def test_every_page_of_a_long_list_is_exported(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    who = reporter(engine, name="李阿姨", phone="13700000000", now=clock.now())
    for number in range(55):
        file_ticket(engine, settings.tickets, reporter_id=who, at=hours_ago(clock.now(), number))
    _login(wechat)
    book = load_workbook(BytesIO(wechat.client.get("/console/tickets/export.xlsx").content))
    assert book["工单"].max_row == 56  # the header and every ticket, not the first page


def test_the_dashboards_rates_export_is_the_statistics_pages_workbook(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    """One export of the month's 三率: the dashboard links to the breakdown the statistics page
    offers, and the old address (bookmarks) leads there with its month."""
    _day(engine, settings, clock)
    _login(wechat)
    dashboard = wechat.client.get("/console").text
    assert 'href="/console/stats/breakdown.xlsx?month=2026-11"' in dashboard
    old = wechat.client.get("/console/stats/export.xlsx?month=2026-10", follow_redirects=False)
    assert old.status_code == 307 and old.headers["location"] == "/console/stats/breakdown.xlsx?month=2026-10"
    book = load_workbook(BytesIO(wechat.client.get("/console/stats/export.xlsx?month=2026-11").content))
    assert book.sheetnames == ["全社区", "按楼栋", "按网格", "按处理人"]
    summary = dict(zip([c.value for c in book["全社区"][1]], [c.value for c in book["全社区"][2]], strict=True))
    assert summary["月份"] == "2026-11" and summary["投诉"] == 1  # complaints counted apart, as on the page
