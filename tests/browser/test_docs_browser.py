"""In a real browser cut off from the internet (as on a community office's intranet), /docs and
/redoc still show the admin API: every asset comes from the app itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

# ReDoc's sidebar credit 「API docs by Redocly」 shows a small logo from Redocly's CDN; offline
# the credit stays as text and nothing else is missing. Every other request must be the app's.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _offline(page: Any, live_server: str) -> list[str]:
    """Abort every request to a host other than the app's; returns those refused."""
    app_host = urlsplit(live_server).netloc
    refused: list[str] = []

    def only_the_app(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == app_host:
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", only_the_app)
    return refused


def _operations(page: Any) -> int:
    paths = page.request.get("/openapi.json").json()["paths"]
    return sum(len(operations) for operations in paths.values())


def test_swagger_ui_shows_the_admin_api_without_internet(
    browser_page: Any, live_server: str, shot: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    refused = _offline(page, live_server)
    page.goto("/docs")
    expect(page.locator(".info .title")).to_contain_text("红管家 管理接口")
    tickets = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/api/v1/tickets"])')
    tickets.locator(".opblock-summary").click()  # open the operation, as an admin would
    expect(tickets.locator(".parameters").get_by_text("status", exact=True)).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(_operations(page))  # the whole API, not a stub
    assert page.title() == "红管家 管理接口"  # the browser tab
    shot("swagger-ui")
    assert refused == []


def test_redoc_shows_the_admin_api_without_internet(browser_page: Any, live_server: str, shot: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    refused = _offline(page, live_server)
    page.goto("/redoc")
    expect(page.locator("h1").first).to_contain_text("红管家 管理接口")
    page.locator("[role=menuitem]").filter(has_text="List Tickets").first.click()
    expect(page.get_by_text("/api/v1/tickets", exact=True).first).to_be_visible()
    assert page.title() == "红管家 管理接口"
    shot("redoc")
    assert set(refused) <= {REDOCLY_LOGO}
