"""A PostgreSQL database of its own for each pytest-xdist worker.

``make test`` runs the suite on every core (``pytest -n auto``). The SQLite databases are files
under each test's own temporary directory already; PostgreSQL's are not, so each worker takes the
database named in ``HGJ_TEST_POSTGRES_URL`` with its worker id appended (``test_gw0``, ``test_gw1``),
created here when missing and migrated afresh by the session's ``postgres_engine`` fixture.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.db import normalise_url

VARIABLE = "HGJ_TEST_POSTGRES_URL"


def worker_url(url: str) -> str:
    """``url`` for this worker (unchanged outside xdist), its database created; the environment
    variable is set to it too, so that every module and child process reading it agrees."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    parsed = make_url(url)
    base = parsed.database or "postgres"
    if base.endswith(f"_{worker}"):  # conftest imported a second time
        return url
    name = f"{base}_{worker}"
    _create(url, name)
    mine = parsed.set(database=name).render_as_string(hide_password=False)
    os.environ[VARIABLE] = mine
    return mine


def _create(url: str, name: str) -> None:
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(5):
            try:
                with admin.connect() as connection:
                    found = connection.execute(
                        text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                    )
                    if found.first() is None:
                        connection.execute(text(f'CREATE DATABASE "{name}"'))
                return
            except (OperationalError, ProgrammingError):  # another worker's CREATE at the same moment
                if attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))
    finally:
        admin.dispose()
