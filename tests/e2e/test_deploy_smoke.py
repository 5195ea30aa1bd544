"""The production layout of deploy/README.md, started for real (deploy/smoke.py against
PostgreSQL), and its config example.

Runs only when the suite has PostgreSQL (``HGJ_TEST_POSTGRES_URL``). The smoke run creates and
drops a database of its own: ``HGJ_TEST_SMOKE_URL``, else the test database's name with
``_smoke`` appended (never the test database itself, which other tests truncate).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("HGJ_TEST_POSTGRES_URL", "")


def smoke_url() -> str:
    if os.environ.get("HGJ_TEST_SMOKE_URL"):
        return os.environ["HGJ_TEST_SMOKE_URL"]
    url = make_url(POSTGRES_URL)
    return url.set(database=f"{url.database}_smoke").render_as_string(hide_password=False)


@pytest.mark.skipif(not POSTGRES_URL and not os.environ.get("HGJ_TEST_SMOKE_URL"), reason="needs PostgreSQL")
def test_two_web_processes_and_one_worker_serve_residents_together() -> None:
    url = smoke_url()
    assert make_url(url).database != make_url(POSTGRES_URL).database if POSTGRES_URL else True
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "smoke.py"), "--database-url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "smoke passed" in result.stdout


def test_the_production_config_example_is_valid_and_production_minded() -> None:
    chosen = load_settings(ROOT / "deploy" / "config.production.toml")
    assert chosen.database.url.startswith("postgresql")
    assert chosen.log.format == "json" and chosen.metrics.token and chosen.console.secure_cookies
    assert chosen.wechat.effective_mode == "safe" and not chosen.outbox.console_only
    assert chosen.outbox.unconfigured == "dead" and chosen.privacy.public_url.startswith("https://")
