"""The district benchmark runs at a small scale on each backend and reports what it claims to
(timing is its job, not the tests'): the 三率 of one community and of the district, and one
notice to the residents of a share of the communities."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from bot.db import create_db_engine
from tests.conftest import BACKENDS, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=BACKENDS)
def bench_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database the bench may wipe: a file, or a PostgreSQL database of its own beside the tests'."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'district.db'}"
        return
    url = make_url(create_db_engine(POSTGRES_URL).url)
    name = f"{url.database}_district"
    admin = create_db_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_district_bench_runs_at_a_small_scale(bench_url: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "district.py"),
            "--scale",
            "0.01",
            "--runs",
            "1",
            "--url",
            bench_url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    figures = json.loads(done.stdout)
    assert (figures["communities"], figures["residents"], figures["tickets"]) == (2, 5000, 10_000)
    rates = figures["rates"]
    assert rates["district_all_time"]["tickets"] > rates["community_all_time"]["tickets"] > 0
    assert rates["district_month"]["tickets"] > rates["community_month"]["tickets"] > 0
    for scope in ("community_all_time", "district_all_time"):
        for rate in ("response_rate", "resolution_rate", "satisfaction_rate", "mediation_rate"):
            assert 0 < rates[scope][rate] < 1, (scope, rate)
    # One community's 2,500 residents, and the group chats of its 20 buildings.
    assert figures["fanout"]["outbox_rows"] == 2_520
