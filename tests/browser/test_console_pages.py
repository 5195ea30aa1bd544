"""Every console page in a real browser at a desk (1366×768) and on a phone (390×844).

The pages are found as a person finds them: the login page, the menu of an administrator's
console, a ticket from the list, a page that does not exist. On each one axe-core (the npm package
``make install`` puts under node_modules/) reports no serious or critical violation, nothing scrolls
sideways at 390 px, and a screenshot of the whole page goes to test-artifacts/browser/.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.demo import seed_demo
from bot.settings import Settings
from models.outbox import OutboxStatus, enqueue
from models.people import Person
from tests.browser.conftest import ARTIFACTS
from tests.conftest import ADMIN_TOKEN

DESK, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def seeded(engine: Engine, settings: Settings, clock: ManualClock, demo: None) -> None:
    """The demo community with its history: tickets, notices, activities, proposals, a ledger."""
    with Session(engine) as session, session.begin():
        seed_demo(session, now=clock.now(), rules=settings.tickets)
        failed_pushes(session, now=clock.now())


def failed_pushes(session: Session, *, now: datetime) -> None:
    """A push that failed and one waiting to be tried again, for 消息发送 to show."""
    person = session.exec(select(Person).where(Person.openid == "demo-resident-wang")).one()
    for key, state, error in (
        ("browser:dead", OutboxStatus.dead, "person 5 has unfollowed the Official Account"),
        ("browser:retry", OutboxStatus.pending, "mp_custom: errcode 45015 response out of time limit"),
    ):
        message = enqueue(session, idempotency_key=key, text="您报修的 R1001 已派单，师傅今天下午上门。", now=now,
                          kind="ticket", person_id=person.id)  # fmt: skip
        message.status, message.last_error, message.attempts = state, error, 3
        message.next_attempt_at = now + timedelta(minutes=10)
        session.add(message)


def _log_in(page: Any) -> None:
    page.goto("/console/login")
    page.fill("input[name=token]", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")


def console_pages(page: Any) -> list[str]:
    """The menu's pages, the first ticket's, activity's and resident's pages, past activities, and
    one that does not exist (the 404 page)."""
    page.goto("/console/")
    menu = page.eval_on_selector_all("#console-nav a", "links => links.map(a => a.getAttribute('href'))")
    page.goto("/console/tickets")
    ticket = page.eval_on_selector_all(
        "main a[href^='/console/tickets/']",
        "links => links.map(a => a.getAttribute('href')).find(h => /^[/]console[/]tickets[/][0-9]+$/.test(h))",
    )
    page.goto("/console/activities")
    activity = page.eval_on_selector_all(
        "#activities a[href^='/console/activities/']", "links => links.map(a => a.getAttribute('href'))[0]"
    )
    assert activity, "the demo has an upcoming activity"
    page.goto("/console/residents")
    resident = page.eval_on_selector(
        "#residents a[href^='/console/residents/']", "a => a.getAttribute('href')"
    )
    return [*menu, ticket, activity, resident, "/console/activities?when=past", "/console/no-such-page"]


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "console"


def _check(page: Any, axe: Any, label: str, problems: list[str]) -> None:
    size = "phone" if page.viewport_size["width"] < 600 else "desk"
    page.screenshot(path=str(ARTIFACTS / f"pages-{size}-{label}.png"), full_page=True)
    problems.extend(f"{size} {label}: {v}" for v in axe())
    if size == "phone" and (wider := page.evaluate(SIDEWAYS)) > 0:
        problems.append(f"{size} {label}: scrolls sideways by {wider} px")


def test_every_page_at_a_desk_and_on_a_phone(browser_page: Any, axe: Any, seeded: None) -> None:
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for viewport in (DESK, PHONE):
        page.set_viewport_size(viewport)
        page.context.clear_cookies()
        page.goto("/console/login")
        _check(page, axe, "login", problems)
        _log_in(page)
        paths = console_pages(page)
        assert len(paths) >= 10, paths
        for path in paths:
            page.goto(path)
            _check(page, axe, _name(path), problems)
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_menu_opens_and_nothing_scrolls_sideways(browser_page: Any, seeded: None) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    _log_in(page)
    assert page.locator("#console-nav").is_hidden()  # behind the 菜单 button
    header = page.locator("header h1").bounding_box()
    assert header is not None and header["height"] < 40  # one line: no word broken in the title
    page.click("#menu-toggle")
    assert page.locator("#console-nav").is_visible()
    page.screenshot(path=str(ARTIFACTS / "pages-phone-menu-open.png"))
    links = page.locator("#console-nav a")
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, links.nth(index).inner_text()
    for path in console_pages(page):
        page.goto(path)
        assert page.evaluate(SIDEWAYS) <= 0, f"{path} scrolls sideways at 390 px"
        for target in page.locator("main button:visible, main select:visible, main input:visible").all():
            box = target.bounding_box()
            kind = target.get_attribute("type") or ""
            if box is not None and kind not in ("checkbox", "radio", "hidden"):
                assert box["height"] >= 44, f"{path}: a tap target {box['height']:.0f} px high"
    page.goto("/console/tickets")
    first = page.locator("main table.stack tr:not(.head)").first
    assert first.locator("td").first.get_attribute("data-label") == "单号"  # a card, labelled
    assert first.bounding_box()["width"] <= 390
