"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when configured),
an injected clock, the real app, and WeChat/WeCom simulators."""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

import bot.settings
import models  # noqa: F401
from bot.app import create_app
from bot.clock import ManualClock
from bot.db import create_db_engine, reader
from bot.migrate import upgrade
from bot.outbound.worker import DeliveryWorker
from bot.settings import Settings, load_settings
from models.onboarding import import_community
from tests.support import faketime
from tests.support.fake_wechat import FakeWeChat
from tests.support.pg_workers import worker_url
from tests.support.wechat import WeChatSim, WeComSim

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-community.toml"
SAMPLES = ROOT / "tests" / "fixtures" / "wechat"  # copied in; see NOTICE.md there
POSTGRES_URL = worker_url(os.environ.get("HGJ_TEST_POSTGRES_URL", ""))  # one database per xdist worker
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]

HARNESS_VARIABLES = ("HGJ_TEST_", "HGJ_REQUIRE_", "HGJ_CHROMIUM", "HGJ_FUZZ_")
faketime.repair_sleep()  # only under `make test-future`; see tests/support/faketime.py

WECHAT_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ADMIN_TOKEN = "test-admin-token-0123456789"


@pytest.fixture(scope="session", autouse=True)
def hermetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite reads no config of the machine's: no ./config.toml, no $HGJ_*, no home directory."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):  # config overrides go; the harness's own switches stay
            if key.startswith("HGJ_") and not key.startswith(HARNESS_VARIABLES):
                patch.delenv(key)
        patch.setenv("HOME", str(home))
        patch.setattr(bot.settings, "DEFAULT_CONFIG_PATH", home / "no-config.toml")
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine | None]:
    if not POSTGRES_URL:
        yield None
        return
    engine = create_db_engine(POSTGRES_URL)
    with engine.begin() as connection:
        SQLModel.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "hgj.db"
        shutil.copy(sqlite_template, path)
        engine = create_db_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """For arranging and inspecting; reads do not hold SQLite's write lock against the app.

    A read transaction keeps its snapshot: call ``session.rollback()`` before looking again
    after the app has written.
    """
    with Session(reader(engine), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))  # 09:30 in Beijing


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return load_settings(
        None,
        database={"url": engine.url.render_as_string(hide_password=False)},
        server={"spool_dir": str(tmp_path / "spool")},  # held messages (bot.spool)
        wechat={
            "app_id": "wx5823bf96d3bd56c7",
            "token": "wechat-test-token",
            "encoding_aes_key": WECHAT_AES_KEY,
            "app_secret": "test-secret",
            "api_base_url": "http://127.0.0.1:9/wechat-fake",
            "mode": "compatible",  # the tests speak every mode; safe mode has its own tests
        },
        wecom={
            "enabled": True,
            "corp_id": "ww1436e0e65a779aee",
            "agent_id": "1000002",
            "secret": "test-secret",
            "token": "wecom-test-token",
            "encoding_aes_key": WECOM_AES_KEY,
            "api_base_url": "http://127.0.0.1:9/wecom-fake",
        },
        admin={"tokens": [ADMIN_TOKEN]},
    )


@pytest.fixture
def demo(engine: Engine, clock: ManualClock) -> None:
    """The demo community from examples/ loaded into the test database."""
    data = tomllib.loads(DEMO.read_text(encoding="utf-8"))
    with Session(engine) as session, session.begin():
        import_community(session, data=data, now=clock.now())


@pytest.fixture
def app_client(settings: Settings, engine: Engine, clock: ManualClock) -> Iterator[TestClient]:
    app = create_app(settings, engine=engine, clock=clock)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def wechat(app_client: TestClient, settings: Settings, clock: ManualClock) -> WeChatSim:
    return WeChatSim(app_client, settings, clock)


@pytest.fixture
def wecom(app_client: TestClient, settings: Settings, clock: ManualClock) -> WeComSim:
    return WeComSim(app_client, settings, clock)


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def fake_wechat(settings: Settings, clock: ManualClock) -> Iterator[FakeWeChat]:
    """A local fake of WeChat/WeCom (and the demo buildings' robots); ``settings`` point at it."""
    fake = FakeWeChat(clock=clock).start()
    settings.wechat.api_base_url = fake.mp_base
    settings.wecom.api_base_url = fake.qy_base  # robot webhooks on WeCom's host follow it
    settings.wechat.templates = {"default": "TPL-NOTICE"}
    yield fake
    fake.stop()


@pytest.fixture
def outbox_worker(
    engine: Engine, settings: Settings, clock: ManualClock, fake_wechat: FakeWeChat
) -> Iterator[DeliveryWorker]:
    """A delivery worker sending to ``fake_wechat``: ``outbox_worker.drain()`` sends what is due."""
    with httpx.Client(timeout=5) as client:
        yield DeliveryWorker(engine=engine, settings=settings, clock=clock, client=client, name="worker-a")


# Tests that start server, worker or import processes of their own and time them: under
# ``pytest -n`` they all run on one worker (``--dist loadgroup``), one after another, so that two of
# them never compete for the cores while each waits on its own deadline.
PROCESS_TESTS = (
    "tests/faults/",
    "tests/bench/",
    "tests/e2e/test_deploy_smoke.py",
    "tests/bot/test_write_gate.py",
)
PROCESS_TESTS += ("tests/scheduler/test_runner.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(ROOT).as_posix()
        if where.startswith(PROCESS_TESTS):
            item.add_marker(pytest.mark.xdist_group("processes"))
