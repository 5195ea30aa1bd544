"""The console's 统计 page (/console/stats) and its .xlsx, with known tickets: the figures a manager
reads per building, grid and handler, each rate with its n, and 「无数据」 where n=0."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import ApiRole
from models.community import Building
from models.people import Person, Role
from models.tickets import Rating, Ticket, TicketKind, TicketStatus
from tests.bot.test_web_console import _login
from tests.bot.test_web_console_pages import _token
from tests.support.wechat import WeChatSim

ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)


def table(html: str, name: str) -> dict[str, list[str]]:
    """The table ``#table-{name}`` as {first cell: the other cells}, header row included."""
    found = re.search(rf'<table[^>]*id="table-{name}"[^>]*>(.*?)</table>', html, re.S)
    assert found is not None, name
    rows = [[unescape(c).strip() for c in CELL.findall(r)] for r in ROW.findall(found.group(1))]
    return {r[0]: r[1:] for r in rows}


def _arrange(engine: Engine, now: datetime) -> None:
    """November: 3栋 two worked repairs (one on time, fixed, rated 5; one late, not fixed, rated
    2), one not yet due, one complaint; 1栋 one repair past its limit, never accepted.
    October: 1栋 one repair accepted on time."""
    with Session(engine) as session, session.begin():
        number = {b.number: b.id for b in session.exec(select(Building))}
        staff = {p.name: p.id for p in session.exec(select(Person).where(Person.role == Role.staff))}
        resident = Person(name="居民甲", role=Role.resident, created_at=now)
        session.add(resident)
        session.flush()

        def ticket(building: str, days_ago: float, **fields: object) -> Ticket:
            created = now - timedelta(days=days_ago)
            values: dict[str, object] = {"due_at": created + timedelta(hours=24)} | fields
            found = Ticket(
                reporter_id=resident.id,
                building_id=number[building],
                created_at=created,
                updated_at=created,
                **values,
            )
            session.add(found)
            session.flush()
            return found

        on_time = ticket(
            "3", 10, assignee_id=staff["王师傅"], status=TicketStatus.closed, resident_fixed=True,
            accepted_at=now - timedelta(days=10) + timedelta(hours=2),
        )  # fmt: skip
        late = ticket(
            "3", 9, assignee_id=staff["王师傅"], status=TicketStatus.closed, resident_fixed=False,
            accepted_at=now - timedelta(days=9) + timedelta(hours=30),
        )  # fmt: skip
        ticket("3", 0.1)  # due tomorrow: not yet counted for 响应率
        ticket("3", 2, kind=TicketKind.complaint)
        ticket("1", 3, assignee_id=staff["李师傅"], status=TicketStatus.dispatched)
        ticket("1", 40, status=TicketStatus.closed, accepted_at=now - timedelta(days=40) + timedelta(hours=1))
        for done, stars in ((on_time, 5), (late, 2)):
            session.add(
                Rating(
                    ticket_id=done.id,
                    person_id=resident.id,
                    overall=stars,
                    speed=stars,
                    service=stars,
                    created_at=now,
                )
            )


def test_the_months_figures_per_building_grid_and_handler(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _arrange(engine, clock.now())
    _login(wechat)
    page = wechat.client.get("/console/stats")
    assert page.status_code == 200
    html = page.text
    assert "2026年11月（本月）统计（全社区）" in html  # this month by the app's clock
    cards = {
        key: (value, n)
        for key, value, n in re.findall(
            r'id="card-(\w+)">.*?<div class="value">(.*?)</div>(?:<div class="n">(.*?)</div>)?', html
        )
    }
    assert cards["received"] == ("4", "") and cards["complaints"] == ("1", "") and cards["open"] == ("2", "")
    assert cards["response_rate"] == ("33%", "n=3")
    assert cards["resolution_rate"] == ("50%", "n=2") and cards["satisfaction_rate"] == ("50%", "n=2")
    assert cards["mediation_rate"] == ("无数据", "n=0")  # no dispute: not 0 %, not 100 %

    buildings = table(html, "buildings")
    assert buildings["楼栋"] == [
        "收到工单",
        "投诉",
        "按时响应",
        "响应率",
        "已解决",
        "解决率",
        "满意",
        "满意率",
        "化解率",
    ]
    assert buildings["3栋"] == [
        "3",
        "1",
        "1",
        "50%（n=2）",
        "1",
        "50%（n=2）",
        "1",
        "50%（n=2）",
        "无数据（n=0）",
    ]
    assert buildings["1栋"][:6] == ["1", "0", "0", "0%（n=1）", "0", "无数据（n=0）"]
    nothing = "无数据（n=0）"
    assert buildings["2栋"] == ["0", "0", "0", nothing, "0", nothing, "0", nothing, nothing]
    assert buildings["合计"][:4] == ["4", "1", "1", "33%（n=3）"]

    grids = table(html, "grids")
    assert grids["第一网格"][0] == "1" and grids["第二网格"][:2] == ["3", "1"]
    handlers = table(html, "handlers")
    assert handlers["王师傅"][:4] == ["2", "0", "1", "50%（n=2）"]
    assert handlers["李师傅"][:4] == ["1", "0", "0", "0%（n=1）"]
    assert "转过单的工单算在接手的人名下" in html  # whose figures these are, said on the page
    assert handlers["未派单"][:4] == [
        "1",
        "1",
        "0",
        "无数据（n=0）",
    ]  # the one not yet due, and the complaint


def test_the_charts_have_axes_values_and_n(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _arrange(engine, clock.now())
    _login(wechat)
    html = wechat.client.get("/console/stats").text
    charts = re.findall(r'<svg class="chart axes"[^>]*aria-label="([^"]*)"[^>]*>(.*?)</svg>', html, re.S)
    assert len(charts) == 12  # received and three rates, for buildings, grids and handlers
    labels = {unescape(label).split("：")[0]: (unescape(label), body) for label, body in charts}
    label, body = labels["响应率（按楼栋）"]
    assert "3栋 50%（n=2）" in label and "2栋 无数据（n=0）" in label and "1栋 0%（n=1）" in label
    assert "比例（%）" in body and ">0%<" in body and ">100%<" in body and ">楼栋<" in body
    assert 'role="img"' in html and "<title>响应率（按楼栋）：" in html
    assert "<figcaption>响应率（按楼栋）</figcaption>" in html  # the title is seen too
    label, body = labels["收到工单（按处理人）"]
    assert "王师傅 2件" in label and "数量（件）" in body and ">2<" in body


def test_an_earlier_month_from_the_picker(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    clock.set(datetime(2026, 11, 30, 15, 50, tzinfo=UTC))  # 23:50 on the last day of November
    _arrange(engine, clock.now())
    _login(wechat)
    html = wechat.client.get("/console/stats").text
    assert '<option value="2026-10" >2026年10月</option>' in html and '<option value="2025-12" >' in html
    october = wechat.client.get("/console/stats?month=2026-10").text
    assert "2026年10月统计" in october and 'value="2026-10" selected' in october
    assert table(october, "buildings")["1栋"][:4] == ["1", "0", "1", "100%（n=1）"]
    assert table(october, "buildings")["3栋"][0] == "0"
    for odd in ("2026-13", "2027-01", "abc"):  # malformed or still to come: this month
        assert "2026年11月（本月）统计" in wechat.client.get(f"/console/stats?month={odd}").text
    long_ago = wechat.client.get("/console/stats?month=2024-03").text  # by 上个月, month after month
    assert "2024年3月统计" in long_ago and '<option value="2024-03" selected>' in long_ago
    clock.advance(minutes=20)  # 00:10 on 1 December in Beijing
    assert "2026年12月（本月）统计" in wechat.client.get("/console/stats").text


def test_a_grid_worker_sees_their_grid(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _arrange(engine, clock.now())
    _login(wechat, _token(engine, clock, "demo-grid-sun", ApiRole.grid_worker))  # 第二网格: 3栋, 5栋
    html = wechat.client.get("/console/stats").text
    assert "统计（本网格）" in html
    assert set(table(html, "buildings")) == {"楼栋", "3栋", "5栋", "合计"}
    assert table(html, "buildings")["合计"][0] == "3"
    assert "李师傅" not in table(html, "handlers")


def test_the_breakdown_downloads_as_xlsx(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _arrange(engine, clock.now())
    _login(wechat)
    assert 'href="/console/stats/breakdown.xlsx?month=2026-11"' in wechat.client.get("/console/stats").text
    response = wechat.client.get("/console/stats/breakdown.xlsx?month=2026-11")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["全社区", "按楼栋", "按网格", "按处理人"]
    header = [c.value for c in book["按楼栋"][1]]
    assert header[:7] == [
        "楼栋",
        "收到工单（不含投诉）",
        "投诉",
        "未完成",
        "应响应（响应率n）",
        "按时响应",
        "响应率",
    ]
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in book["按楼栋"].iter_rows(min_row=2, values_only=True)
    }
    assert rows["3栋"]["收到工单（不含投诉）"] == 3 and rows["3栋"]["投诉"] == 1
    assert rows["3栋"]["响应率"] == 0.5 and rows["3栋"]["已评价（满意率n）"] == 2
    assert rows["2栋"]["响应率"] == "无数据" and rows["1栋"]["响应率"] == 0
    assert book["按楼栋"]["G2"].number_format == "0.0%"
    summary = [c.value for c in book["全社区"][2]]
    assert summary[:5] == ["2026-11", 4, 1, 2, 3] and summary[6] == 0.3333
    handlers = {r[0]: r[1] for r in book["按处理人"].iter_rows(min_row=2, values_only=True)}
    assert handlers == {"李师傅": 1, "王师傅": 2, "未派单": 1}
