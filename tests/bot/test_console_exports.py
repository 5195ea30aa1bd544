"""Console exports: the filtered ticket list and a month's 三率 as .xlsx, read back with openpyxl."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.settings import Settings
from models.access import AuditEntry
from models.tickets import TicketKind
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


def test_the_months_rates_by_building_and_handler(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    _day(engine, settings, clock)
    who = reporter(engine, name="王大爷", phone="13600000000", now=clock.now())
    file_ticket(engine, settings.tickets, reporter_id=who, at=hours_ago(clock.now(), 1), building="1")
    file_ticket(  # last month: not in November's figures
        engine, settings.tickets, reporter_id=who, at=hours_ago(clock.now(), 24 * 30), kind=TicketKind.repair
    )
    _login(wechat)
    response = wechat.client.get("/console/stats/export.xlsx?month=2026-11")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["全社区", "按楼栋", "按网格", "按处理人", "投诉"]
    summary = list(book["全社区"].iter_rows(values_only=True))
    assert summary[0] == ("月份", "工单数（不含投诉）", "未完成", "响应率", "解决率", "满意率", "化解率")
    assert summary[1][:3] == ("2026-11", 4, 4)  # complaints are counted apart
    by_building = {r[0]: r[1:3] for r in book["按楼栋"].iter_rows(min_row=2, values_only=True)}
    assert by_building == {"1": (1, 1), "3": (4, 4)}  # with 3栋's complaint
    assert book["按楼栋"]["B1"].value == "工单数（含投诉）"
    handlers = {r[0] for r in book["按处理人"].iter_rows(min_row=2, values_only=True)}
    assert "王师傅" in handlers and "赵经理" in handlers
    assert [c.value for c in book["投诉"][2][:3]] == ["2026-11", 1, 1]
    assert book["全社区"]["D2"].number_format == "0.0%"
