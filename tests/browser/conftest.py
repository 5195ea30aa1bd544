"""A real headless Chromium (Debian's package) driven by Playwright against the real app under uvicorn.

Skipped when chromium or playwright is missing, unless ``HGJ_REQUIRE_BROWSER=1`` (CI) makes that
a failure. Never downloads a browser: the system one is launched by path.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine

from bot.app import create_app
from bot.clock import ManualClock
from bot.settings import Settings
from tests.support.faketime import real_clock_for_children

CHROMIUM = os.environ.get("HGJ_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
# axe-core from the npm registry, installed by `make install` into node_modules/ (ignored by git)
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const found = await axe.run(document, {resultTypes: ["violations"]});
  return found.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


def _unavailable(reason: str) -> None:
    if os.environ.get("HGJ_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (HGJ_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture
def live_server(settings: Settings, engine: Engine, clock: ManualClock) -> Iterator[str]:
    """The app served by uvicorn in a background thread on a free 127.0.0.1 port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(settings, engine=engine, clock=clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(500):  # wait for the socket, not for time
        if server.started:
            started.set()
            break
        thread.join(0.02)
    assert started.is_set(), "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser_page(live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (make install)")
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with real_clock_for_children(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        context = browser.new_context(
            base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        # assertions wait as long as actions: Redoc lays out the whole API document first, which
        # took over 5 s (the default) on a loaded two-core machine
        expect.set_options(timeout=15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest, browser_page: Any) -> Any:
    """``shot("step")`` writes a full-page screenshot to test-artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("[", "-").replace("]", "")

    def take(step: str) -> Path:
        path = ARTIFACTS / f"{name}-{step}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe(browser_page: Any) -> Any:
    """``axe()`` runs axe-core on the page as it stands: its serious and critical violations."""
    if not AXE.exists():
        reason = f"axe-core is not installed at {AXE} (make install)"
        if os.environ.get("HGJ_REQUIRE_BROWSER") == "1":
            pytest.fail(f"accessibility checks required (HGJ_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    source = AXE.read_text(encoding="utf-8")

    def check() -> list[str]:
        if not browser_page.evaluate("() => typeof axe !== 'undefined'"):
            browser_page.add_script_tag(content=source)
        return list(browser_page.evaluate(RUN_AXE))

    return check
