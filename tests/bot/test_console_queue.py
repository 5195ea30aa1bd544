"""The console's home page and ticket list: what needs the office now, urgent first, paged, searchable."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.settings import Settings
from models.tickets import TicketKind
from tests.bot.test_web_console import _login
from tests.support.tickets import file_ticket, hours_ago, reporter
from tests.support.wechat import WeChatSim

TOTAL = re.compile(r'id="total"[^>]*>共 (\d+) 张')


def _card(html: str, key: str) -> tuple[int, str]:
    found = re.search(
        rf'href="([^"]*)" id="today-{key}">\s*<div class="label">[^<]*</div><div class="value">(\d+)</div>',
        html,
    )
    assert found is not None, key
    return int(found.group(2)), found.group(1).replace("&amp;", "&")


def _total(html: str) -> int:
    found = TOTAL.search(html)
    assert found is not None
    return int(found.group(1))


def _codes(html: str) -> list[str]:
    return re.findall(r'<a href="/console/tickets/\d+">([RDCE]\d+)</a>', html)


def _day(engine: Engine, settings: Settings, clock: ManualClock) -> dict[str, str]:
    now = clock.now()
    rules = settings.tickets
    zhang = reporter(engine, name="张桂芳", phone="13912345678", now=now)
    late = file_ticket(engine, rules, reporter_id=zhang, at=hours_ago(now, 170), description="楼道堆放杂物")
    soon = file_ticket(engine, rules, reporter_id=zhang, at=hours_ago(now, 23), category="水电")
    alarm = file_ticket(
        engine, rules, reporter_id=zhang, at=hours_ago(now, 0.5), kind=TicketKind.emergency, category="燃气"
    )
    gripe = file_ticket(
        engine,
        rules,
        reporter_id=zhang,
        at=now,
        kind=TicketKind.complaint,
        place="3栋2单元502",
        description="物业态度差",
    )
    return {"late": late.code, "soon": soon.code, "alarm": alarm.code, "gripe": gripe.code}


def test_home_page_counts_link_to_lists_that_agree(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    _day(engine, settings, clock)
    _login(wechat)
    home = wechat.client.get("/console/").text
    expected = {"emergency": 1, "overdue": 1, "due_soon": 2, "waiting": 1, "new_today": 2, "open": 4}
    for key, number in expected.items():
        shown, href = _card(home, key)
        assert shown == number, key
        assert _total(wechat.client.get(href).text) == number, (key, href)
    assert _card(home, "bindings")[0] == 0
    assert "2026年11月（本月）的工单与三率" in home and "不含投诉" in home
    assert re.search(r"工单（含投诉）</div><div class=\"value\">4<", home)
    assert re.search(r"其中投诉</div><div class=\"value\">1<", home)
    october = wechat.client.get("/console/?month=2026-10").text
    assert "2026年10月的工单与三率" in october and re.search(
        r"工单（含投诉）</div><div class=\"value\">0<", october
    )


def test_list_is_urgent_first_with_time_left_in_words(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    codes = _day(engine, settings, clock)
    _login(wechat)
    listing = wechat.client.get("/console/tickets").text
    assert _codes(listing) == [codes["alarm"], codes["late"], codes["soon"], codes["gripe"]]
    assert "⚠ 紧急" in listing  # marked in words, not by colour alone
    assert "！超时2小时" in listing and "剩1小时" in listing and "剩7天" in listing
    assert listing.count("⚠ 紧急") == 1


def test_list_searches_and_filters(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    codes = _day(engine, settings, clock)
    _login(wechat)

    def found(query: str) -> list[str]:
        return _codes(wechat.client.get(f"/console/tickets?{query}").text)

    assert found(f"q={codes['late'].lower()}") == [codes["late"]]
    assert set(found("q=张桂芳")) == set(codes.values())
    assert len(found("q=1391234")) == 4
    assert found("q=2单元502") == [codes["gripe"]]
    assert found("q=100%25") == []  # the wildcard is a character, not "everything"
    assert found("kind=complaint") == [codes["gripe"]]
    assert found("overdue=1") == [codes["late"]]
    assert found("since=2026-11-23&until=2026-11-23") == [codes["alarm"], codes["gripe"]]
    assert found("since=2026-11-01&until=2026-11-20") == [codes["late"]]
    assert found("building=5") == []
    assert found("state=all&q=不存在的人") == []


def test_a_long_list_is_paged_with_its_total_and_the_emergency_on_page_one(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = reporter(engine, name="李阿姨", phone="13700000000", now=now)
    alarm = file_ticket(
        engine, settings.tickets, reporter_id=who, at=hours_ago(now, 300), kind=TicketKind.emergency
    )
    for number in range(60):
        file_ticket(
            engine, settings.tickets, reporter_id=who, at=hours_ago(now, number), description=f"第{number}件"
        )
    _login(wechat)
    first = wechat.client.get("/console/tickets").text
    assert "共 61 张，第 1–50 张" in first and "第 1 / 2 页" in first
    assert _codes(first)[0] == alarm.code and len(_codes(first)) == 50
    second = wechat.client.get("/console/tickets?page=2").text
    assert "共 61 张，第 51–61 张" in second and len(_codes(second)) == 11
    assert not set(_codes(first)) & set(_codes(second))


def test_a_grid_worker_counts_and_lists_their_own_grid_only(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    from models.access import ApiRole
    from tests.bot.test_web_console_pages import _token

    _day(engine, settings, clock)  # all in 3栋, 孙丽's grid
    _login(wechat, _token(engine, clock, "demo-grid-liu", ApiRole.grid_worker))
    home = wechat.client.get("/console/").text
    assert _card(home, "emergency")[0] == 0 and _card(home, "open")[0] == 0
    assert 'id="today-bindings"' not in home  # binding review is the office's
    assert _total(wechat.client.get("/console/tickets?state=all").text) == 0
    wechat.client.cookies.clear()
    wechat.client.headers.pop("X-CSRF-Token", None)
    _login(wechat, _token(engine, clock, "demo-grid-sun", ApiRole.grid_worker))
    home = wechat.client.get("/console/").text
    assert _card(home, "emergency")[0] == 1 and _card(home, "open")[0] == 4
