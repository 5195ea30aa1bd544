"""Issue #18: residents, an activity's sign-ups, a month's 三公开 and a proposal's tally download as
.xlsx; read back with openpyxl, the figures are those the page shows, and only those who may open
the page may download it."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import ApiRole, AuditEntry
from models.ledger import yuan
from tests.bot.test_console_activities import _activity, _signup_of
from tests.bot.test_console_proposals import _create
from tests.bot.test_ledger_books import CSV
from tests.bot.test_web_console import _login
from tests.bot.test_web_console_pages import _token
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

CELLS = re.compile(r"<td>(.*?)</td>", re.S)
TAGS = re.compile(r"<[^>]+>")


def _book(wechat: WeChatSim, url: str) -> Workbook:
    response = wechat.client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    return load_workbook(BytesIO(response.content))


def _rows(book: Workbook, title: str) -> list[tuple[Any, ...]]:
    return list(book[title].iter_rows(min_row=2, values_only=True))


def _table(html: str, table_id: str) -> list[list[str]]:
    """The cells of each row of the page's table, as text."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = [[TAGS.sub("", c).strip() for c in CELLS.findall(tr)] for tr in body.split("<tr>")]
    return [r for r in rows if r]


def _audits(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [e.action for e in session.exec(select(AuditEntry))]


def _as(wechat: WeChatSim, engine: Engine, clock: ManualClock, openid: str, role: ApiRole) -> None:
    wechat.client.cookies.clear()
    wechat.client.headers.pop("X-CSRF-Token", None)
    _login(wechat, _token(engine, clock, openid, role))


def test_the_residents_of_a_search_or_all_download_with_their_homes(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _login(wechat)
    found = wechat.client.get("/console/residents", params={"q": "王秀兰"}).text
    assert 'href="/console/residents/export.xlsx?q=' in found and "导出这次查找的居民" in found
    book = _book(wechat, "/console/residents/export.xlsx?q=王秀兰")
    assert next(book["居民"].iter_rows(values_only=True)) == (
        "姓名",
        "电话",
        "房屋",
        "关系",
        "是否核实",
        "绑定时间",
    )
    rows = _rows(book, "居民")
    assert {r[0] for r in rows} == {"王秀兰"} and "3栋2单元502" in {r[2] for r in rows}
    assert all(r[1] == "13803510001" and r[4] in ("已核实", "待核实") and r[5] for r in rows)
    everyone = wechat.client.get("/console/residents").text
    on_page = {row[0] for row in _table(everyone, "residents")}
    total = int(re.search(r"共 (\d+) 位", everyone).group(1))  # type: ignore[union-attr]
    names = {r[0] for r in _rows(_book(wechat, "/console/residents/export.xlsx"), "居民")}
    assert len(names) == len(on_page) == total and names == on_page and "刘志强" not in names
    assert _audits(engine)[-2:] == ["residents.export"] * 2
    _as(wechat, engine, clock, "demo-secretary-zhou", ApiRole.secretary)
    assert wechat.client.get("/console/residents/export.xlsx").status_code == 200
    _as(wechat, engine, clock, "demo-grid-liu", ApiRole.staff)
    assert wechat.client.get("/console/residents").status_code == 403
    assert wechat.client.get("/console/residents/export.xlsx").status_code == 403
    _as(wechat, engine, clock, "demo-grid-sun", ApiRole.grid_worker)
    assert wechat.client.get("/console/residents/export.xlsx").status_code == 403


def test_an_activitys_sign_up_sheet_downloads_as_the_page_lists_it(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    activity_id = _activity(engine, clock, hours=-0.5)
    _login(wechat)
    wang = _signup_of(engine, activity_id, "demo-resident-wang")
    wechat.client.post(f"/console/activities/{activity_id}/signups/{wang.id}/attendance", data={"came": "1"})
    html = wechat.client.get(f"/console/activities/{activity_id}").text
    assert f'href="/console/activities/{activity_id}/signups.xlsx"' in html
    on_page = [(r[0], r[1], r[2].replace("—", ""), r[3]) for r in _table(html, "signups")]
    rows = _rows(_book(wechat, f"/console/activities/{activity_id}/signups.xlsx"), "报名名单")
    assert [(r[0], r[1] or "", r[2] or "", r[3]) for r in rows] == on_page
    assert len(rows) == 3 and {r[3] for r in rows} == {"已签到", "已报名", "候补"}
    assert all(r[4] for r in rows)  # signed up at
    assert [bool(r[5]) for r in rows] == [r[3] == "已签到" for r in rows]  # checked in at
    assert _audits(engine)[-1] == "activity.signups.export"
    _as(wechat, engine, clock, "demo-grid-liu", ApiRole.staff)
    assert wechat.client.get(f"/console/activities/{activity_id}/signups.xlsx").status_code == 200
    _as(wechat, engine, clock, "demo-grid-sun", ApiRole.grid_worker)
    assert wechat.client.get(f"/console/activities/{activity_id}").status_code == 403
    assert wechat.client.get(f"/console/activities/{activity_id}/signups.xlsx").status_code == 403


def test_a_months_ledger_downloads_with_the_totals_and_corrections_the_page_shows(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None, admin_headers: dict[str, str]
) -> None:
    imported = wechat.client.post("/api/v1/ledger/import", content=CSV.encode(), headers=admin_headers)
    assert imported.status_code == 201
    parking = wechat.client.get("/api/v1/ledger/entries", headers=admin_headers).json()["items"][0]["id"]
    fixed = wechat.client.post(
        f"/api/v1/ledger/entries/{parking}/corrections",
        json={"amount_fen": 1_100_00, "reason": "收据金额录错"},
        headers=admin_headers,
    )
    assert fixed.status_code == 201
    _login(wechat)
    html = wechat.client.get("/console/ledger", params={"month": "2026-11"}).text
    assert 'href="/console/ledger/export.xlsx?month=2026-11"' in html
    book = _book(wechat, "/console/ledger/export.xlsx?month=2026-11")
    assert book.sheetnames == ["汇总", "各楼栋", "明细"]
    summary = html.split('<pre class="summary">', 1)[1].split("</pre>", 1)[0]
    for name, opening, income, expense, closing in _rows(book, "汇总"):
        figures = f"期初结余 {yuan(round(opening * 100))}，收入 {yuan(round(income * 100))}，"
        figures += f"支出 {yuan(round(expense * 100))}，期末结余 {yuan(round(closing * 100))}"
        assert f"〔{name}〕\n全小区：{figures}" in summary
    public = {r[0]: r[1:] for r in _rows(book, "汇总")}["公共收益"]
    assert public[1:3] == (1_100, 0)  # the correction folded in: 1,200 − 100
    entries = [
        (r[0], r[1], r[2], r[3], yuan(round(r[4] * 100)), r[5] or "", r[6], r[7] or "")
        for r in _rows(book, "明细")
    ]
    on_page = [tuple(row[:8]) for row in _table(html, "ledger-rows")]
    without_button = [(*r[:7], r[7].removesuffix("更正")) for r in on_page]
    assert [tuple(str(c) for c in e) for e in entries] == without_button
    assert entries[-1][4] == "-100.00元" and entries[-1][7] == f"更正 #{parking}：收据金额录错"
    assert book["明细"]["E2"].number_format == "#,##0.00"
    _as(wechat, engine, clock, "demo-grid-liu", ApiRole.staff)
    assert wechat.client.get("/console/ledger").status_code == 403
    assert wechat.client.get("/console/ledger/export.xlsx").status_code == 403


def test_a_proposals_tally_and_anonymised_ballots_download_as_printed(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _login(wechat)
    _create(wechat)
    confirm(wechat.client, wechat.client.post("/console/proposals/1/publish"))
    ballot = {"building": "3", "unit": "2", "room": "502", "choice": "agree"}
    wechat.client.post("/console/proposals/1/ballots", data=ballot)
    confirm(wechat.client, wechat.client.post("/console/proposals/1/close"))
    assert 'href="/console/proposals/1/export.xlsx"' in wechat.client.get("/console/proposals/1").text
    printed = wechat.client.get("/console/proposals/1/result").text
    book = _book(wechat, "/console/proposals/1/export.xlsx")
    assert book.sheetnames == ["结果", "计票", "通过条件", "分户明细"]
    facts = dict(_rows(book, "结果"))
    assert facts["议题"] == "P1「3栋加装电梯」" and facts["结果"] == "未通过"
    assert [list(r) for r in _rows(book, "通过条件")] == _table(printed, "result-checks")
    (total_area, owners), (voted_area, voters), (agree_area, agreed) = [r[1:] for r in _rows(book, "计票")]
    sentence = (
        f"专有面积共 {total_area:.2f} ㎡，业主 {owners} 人；参与表决 {voted_area:.2f} ㎡、{voters} 人；"
        f"同意 {agree_area:.2f} ㎡、{agreed} 人。"
    )
    assert sentence in printed and voters == agreed == 1
    detail = _rows(book, "分户明细")
    assert len(detail) == owners and all(r[0].endswith("**") for r in detail)
    assert "3栋2单元502" not in {r[0] for r in detail} and ("3栋2单元5**" in {r[0] for r in detail})
    assert [r[2] for r in detail].count("同意") == 1 and round(sum(r[1] for r in detail), 2) == total_area
    _as(wechat, engine, clock, "demo-grid-liu", ApiRole.staff)
    assert wechat.client.get("/console/proposals/1/export.xlsx").status_code == 403
    _as(wechat, engine, clock, "demo-secretary-zhou", ApiRole.secretary)
    assert wechat.client.get("/console/proposals/1/export.xlsx").status_code == 200
