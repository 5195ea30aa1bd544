"""GET /metrics: what an operator's Prometheus sees after residents chat and work piles up."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.app import create_app
from bot.clock import ManualClock
from bot.db import create_db_engine, write_lock
from bot.metrics import DatabaseCollector, app_registry, count_on_commit, intent_recognised, serve_metrics
from bot.outbound.worker import DeliveryWorker
from bot.settings import Settings
from models.outbox import enqueue
from models.people import Person
from scheduler.runner import SchedulerRunner
from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat import WeChatSim

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_repair_conversation_shows_up_as_intent_form_outcome_and_webhook_latency(
    app_client: TestClient, wechat: WeChatSim, demo: None
) -> None:
    before = scrape(app_client)
    wechat.send("demo-resident-wang", "我家卫生间天花板渗水")
    assert "已登记报修单" in wechat.send("demo-resident-wang", "是")
    after = scrape(app_client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("hgj_intents_total", intent="repair") == 1
    assert grew("hgj_form_outcomes_total", form="repair", outcome="started") == 1
    assert grew("hgj_form_outcomes_total", form="repair", outcome="completed") == 1
    assert grew("hgj_http_request_duration_seconds_count", route="/wechat", method="POST") == 2
    assert grew("hgj_http_requests_total", route="/wechat", method="POST", status="200") == 2


def test_latency_is_by_route_template_never_by_raw_path(
    app_client: TestClient, admin_headers: dict[str, str]
) -> None:
    app_client.get("/api/v1/tickets/424242", headers=admin_headers)
    app_client.get("/no/such/page/31337")
    samples = scrape(app_client)
    assert value(
        samples, "hgj_http_requests_total", route="/api/v1/tickets/{ticket_id}", method="GET", status="404"
    )
    assert value(samples, "hgj_http_requests_total", route="unmatched", method="GET", status="404")
    assert not [key for key in samples if any("424242" in v or "31337" in v for _, v in key[1])]


def test_backlog_dead_letters_and_overdue_tickets_are_read_from_the_database(
    app_client: TestClient, wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    wechat.send("demo-resident-wang", "我家卫生间天花板渗水")
    wechat.send("demo-resident-wang", "是")
    with Session(engine) as session, session.begin():
        wang = session.exec(select(Person).where(Person.openid == "demo-resident-wang")).one()
        enqueue(
            session, idempotency_key="m-dead", person_id=wang.id, kind="notice", text="x", now=clock.now()
        )
        session.execute(text("UPDATE outbox_message SET status = 'dead' WHERE idempotency_key = 'm-dead'"))
    with Session(engine) as session:
        waiting = session.execute(
            text("SELECT count(*) FROM outbox_message WHERE status IN ('pending', 'sending')")
        ).scalar_one()
    assert waiting > 0  # the new ticket's pushes to the building head and staff

    clock.advance(hours=1)
    now = scrape(app_client)
    assert value(now, "hgj_database_up") == 1
    assert value(now, "hgj_outbox_pending") == waiting
    assert value(now, "hgj_outbox_oldest_pending_age_seconds") == 3600
    assert value(now, "hgj_outbox_dead") == 1
    assert value(now, "hgj_tickets_overdue", kind="repair") == 0

    clock.advance(days=8)  # past the 24 h limit of a leak (渗漏)
    assert value(scrape(app_client), "hgj_tickets_overdue", kind="repair") == 1

    with Session(engine) as session, session.begin():  # paused in time: its clock stood still
        session.execute(
            text("UPDATE ticket SET paused_at = created_at + interval '1 hour'")
            if engine.dialect.name == "postgresql"
            else text("UPDATE ticket SET paused_at = datetime(created_at, '+1 hour')")
        )
    assert value(scrape(app_client), "hgj_tickets_overdue", kind="repair") == 0


def test_a_scrape_never_waits_for_the_write_gate_or_a_writer(
    app_client: TestClient, engine: Engine, demo: None
) -> None:
    gate = write_lock(engine)
    with gate if gate is not None else threading.Lock():  # this process's writers are all queued
        if engine.dialect.name == "sqlite":
            with engine.connect() as other:  # and another connection holds SQLite's write lock
                other.execute(text("UPDATE alembic_version SET version_num = version_num"))
                assert value(scrape(app_client), "hgj_database_up") == 1
        else:
            assert value(scrape(app_client), "hgj_database_up") == 1


def test_a_token_protects_metrics_when_configured(
    settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    settings.metrics.token = "scraper-secret-123"
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert value(scrape(client, Authorization="Bearer scraper-secret-123"), "hgj_database_up") == 1


def test_metrics_can_be_switched_off(settings: Settings, engine: Engine, clock: ManualClock) -> None:
    settings.metrics.enabled = False
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        assert client.get("/metrics").status_code == 404


@pytest.fixture
def leader(engine: Engine, clock: ManualClock) -> Iterator[SchedulerRunner]:
    runner = SchedulerRunner(engine=engine, clock=clock, jobs={}, check_seconds=0.05)
    runner.start()
    yield runner
    runner.stop()


def test_the_process_running_the_scheduler_says_so(
    app_client: TestClient, leader: SchedulerRunner, engine: Engine, clock: ManualClock
) -> None:
    done = threading.Event()
    for _ in range(200):  # the runner's thread takes the lead within a few checks
        if leader.is_leader or done.wait(0.05):
            break
    assert leader.is_leader
    assert value(scrape(app_client), "hgj_scheduler_leader") == 1
    leader.stop()
    assert value(scrape(app_client), "hgj_scheduler_leader") == 0


def test_an_unreadable_database_is_reported_not_raised(tmp_path: object, clock: ManualClock) -> None:
    empty = create_db_engine(f"sqlite:///{tmp_path}/empty.db")  # no tables: every read fails
    families = {family.name: family for family in DatabaseCollector(empty, clock).collect()}
    assert [sample.value for sample in families["hgj_database_up"].samples] == [0]
    assert "hgj_outbox_pending" not in families
    empty.dispose()


def test_chat_counters_count_committed_work_only(engine: Engine, clock: ManualClock) -> None:
    registry = app_registry(engine, clock)

    def intents(name: str) -> float:
        return registry.get_sample_value("hgj_intents_total", {"intent": name}) or 0.0

    before = intents("vote")
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        intent_recognised(session, "vote")
        raise RuntimeError("the batch failed and is handled again")
    assert intents("vote") == before
    with Session(engine) as session, session.begin():
        intent_recognised(session, "vote")
        session.add(Person(openid="counted-once", created_at=clock.now()))
    assert intents("vote") == before + 1
    probe = _Probe()
    with Session(engine) as session, session.begin():
        with session.begin_nested():  # a savepoint's release is not the commit
            count_on_commit(session, probe)
        assert probe.value == 0
    assert probe.value == 1


class _Probe:
    value = 0

    def inc(self) -> None:
        self.value += 1


def test_the_workers_metrics_port_serves_the_same_figures_behind_the_same_token(
    engine: Engine, clock: ManualClock
) -> None:
    server = serve_metrics(app_registry(engine, clock), host="127.0.0.1", port=0, token="worker-secret")
    url = f"http://127.0.0.1:{server.server_port}/metrics"
    try:
        assert httpx.get(url, timeout=5).status_code == 401
        answer = httpx.get(url, headers={"Authorization": "Bearer worker-secret"}, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200
    families = {family.name for family in text_string_to_metric_families(answer.text)}
    assert {"hgj_database_up", "hgj_outbox_pending", "hgj_scheduler_leader", "hgj_intents"} <= families


def test_deliveries_are_counted_by_channel_and_outcome(
    app_client: TestClient,
    wechat: WeChatSim,
    demo: None,
    engine: Engine,
    clock: ManualClock,
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
) -> None:
    before = scrape(app_client)
    wechat.send("demo-resident-wang", "我家卫生间天花板渗水")
    wechat.send("demo-resident-wang", "是")
    outbox_worker.drain()
    with Session(engine) as session:
        sent_by_channel = dict(
            session.execute(
                text("SELECT via, count(*) FROM outbox_message WHERE status = 'sent' GROUP BY via")
            ).all()
        )
    assert sent_by_channel  # the new ticket's pushes went out
    after = scrape(app_client)

    def grew(outcome: str, channel: str) -> float:
        return value(after, "hgj_deliveries_total", channel=channel, outcome=outcome) - value(
            before, "hgj_deliveries_total", channel=channel, outcome=outcome
        )

    assert {channel: grew("sent", channel) for channel in sent_by_channel} == sent_by_channel

    fake_wechat.fail_rate = 1.0  # WeChat fails every call: the next push is tried again later
    with Session(engine) as session, session.begin():
        wang = session.exec(select(Person).where(Person.openid == "demo-resident-wang")).one()
        enqueue(
            session, idempotency_key="m-fails", person_id=wang.id, kind="notice", text="x", now=clock.now()
        )
    before, _ = after, outbox_worker.run_once()
    after = scrape(app_client)
    failed = sum(
        count - before.get((name, labels), 0.0)
        for (name, labels), count in after.items()
        if name == "hgj_deliveries_total" and dict(labels)["outcome"] in ("retry", "answer_lost")
    )
    assert failed == 1
