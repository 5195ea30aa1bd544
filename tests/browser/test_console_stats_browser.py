"""统计 (/console/stats) in a real browser at a desk (1366×768) and on a phone (390×844), with the
demo community's history: axe-core finds nothing serious, nothing scrolls sideways, the tables
become labelled cards on the phone, the charts fit the screen with text that can be read, and
the month picker shows an earlier month."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_console_pages import DESK, PHONE, SIDEWAYS, _log_in, seeded  # noqa: F401


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("size", ["desk", "phone"])
def test_statistics_at_a_desk_and_on_a_phone(browser_page: Any, shot: Any, axe: Any, size: str) -> None:
    page = browser_page
    viewport = PHONE if size == "phone" else DESK
    page.set_viewport_size(viewport)
    _log_in(page)
    if size == "phone":
        page.click("#menu-toggle")  # the menu is behind 菜单 on a phone
    page.click("#console-nav a[href='/console/stats']")
    page.wait_for_url("**/console/stats")
    assert "2026年11月（本月）统计" in page.locator("h2#stats-title").inner_text()
    shot("month")
    assert axe() == []
    assert page.evaluate(SIDEWAYS) <= 0
    charts = page.locator("svg.chart.axes")
    assert charts.count() == 12
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    tick = page.locator("#split-buildings svg.chart.axes text").first.bounding_box()
    assert tick is not None and tick["height"] >= 12  # a 12 px font is drawn about its own size
    if size == "phone":
        card = page.locator("#table-buildings tr:not(.head)").first
        assert card.locator("td").nth(4).get_attribute("data-label") == "响应率"
        assert card.bounding_box()["width"] <= viewport["width"]
    page.select_option("#month", "2026-10")
    page.click(".month-picker button[type=submit]")
    page.wait_for_url("**/console/stats?month=2026-10")
    assert "2026年10月统计" in page.locator("h2#stats-title").inner_text()
    assert axe() == []
