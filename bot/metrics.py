"""Prometheus figures for operators: ``GET /metrics`` (and ``hgj worker --metrics-port``).

Counted as things happen, in this process:

- ``hgj_http_request_duration_seconds{route,method}`` (histogram) and
  ``hgj_http_requests_total{route,method,status}``: by route *template* (``/api/v1/tickets/{ticket_id}``),
  never the raw path, so ids do not make new series; ``unmatched`` for paths no route serves.
- ``hgj_intents_total{intent}``: messages understood, by the intent the NLU recognised.
- ``hgj_form_outcomes_total{form,outcome}``: forms started, completed, cancelled, paused, resumed,
  expired, restarted (「否」 at the confirmation).
- ``hgj_deliveries_total{channel,outcome}``: what became of each push the delivery worker tried,
  by the channel it went through (mp_custom, mp_template, wecom_app, group_robot, console):
  ``sent``, ``retry`` (failed, tried again later), ``answer_lost`` (no answer: tried again, may
  arrive twice), ``dead`` (given up on).

Chat counters are recorded when the message's transaction commits: a batch that is rolled back
and handled again one by one counts each message once.

Read from the database at scrape time, with one cheap read that never takes SQLite's write lock
(``bot.db.reader``), so a scrape never waits behind a writer nor makes one wait:

- ``hgj_outbox_pending`` (pending or being sent), ``hgj_outbox_oldest_pending_age_seconds``,
  ``hgj_outbox_dead``; ``hgj_tickets_overdue{kind}`` (open past their time limit);
  ``hgj_database_up`` (1 when that read worked; the figures above are left out when it did not).

And ``hgj_scheduler_leader``: 1 if this process runs the scheduled jobs. Under ``hgj serve`` with
its delivery process, the web process's figures include the child's deliveries and scheduler
role, and ``hgj_worker_figures_age_seconds`` (``bot.child_metrics``).

Each process serves its own figures (no multiprocess mode): run web processes as separate
services on their own ports (``hgj serve --port``, not ``uvicorn --workers``) and scrape each;
the database figures are the same from every process (use ``max`` across instances).
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from bot.child_metrics import WithChild
from bot.clock import Clock
from bot.db import reader

log = logging.getLogger(__name__)
disable_created_metrics()  # no ``*_created`` series: half the lines, nothing anyone graphs

# Chat answers take milliseconds; WeChat gives up after 5 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
REQUEST_SECONDS = Histogram(
    "hgj_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS = Counter(
    "hgj_http_requests", "HTTP requests by route template and status", ["route", "method", "status"]
)
INTENTS = Counter("hgj_intents", "Messages understood, by recognised intent", ["intent"])
FORM_OUTCOMES = Counter(
    "hgj_form_outcomes", "What became of forms (multi-turn requests)", ["form", "outcome"]
)
DELIVERIES = Counter(
    "hgj_deliveries",
    "Pushes the delivery worker finished trying, by channel and outcome",
    ["channel", "outcome"],
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# prometheus_client's ``labels()`` validates and locks on every call: keep the children at hand
# (intents, forms, route templates, methods and statuses are few, so these stay small).
_INTENT_CHILDREN: dict[str, Any] = {}
_FORM_CHILDREN: dict[tuple[str, str], Any] = {}
_LATENCY_CHILDREN: dict[tuple[str, str], Any] = {}
_REQUEST_CHILDREN: dict[tuple[str, str, int], Any] = {}

# -- counting when the transaction commits ----------------------------------------------------

_PENDING = "hgj_metrics_pending"


def count_on_commit(session: Session, counter: Any) -> None:
    """Increment ``counter`` (a labelled child) when the session's transaction commits."""
    pending = session.info.get(_PENDING)
    if pending is None:
        session.info[_PENDING] = [counter]
    else:
        pending.append(counter)


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    if _PENDING not in session.info or session.in_nested_transaction():
        return  # nothing counted, or a savepoint: its outer transaction may still roll back
    for counter in session.info.pop(_PENDING):
        counter.inc()


@event.listens_for(OrmSession, "after_rollback")
def _rolled_back(session: OrmSession) -> None:
    if _PENDING in session.info and not session.in_nested_transaction():
        del session.info[_PENDING]


def intent_recognised(session: Session, intent: str) -> None:
    child = _INTENT_CHILDREN.get(intent)
    if child is None:
        child = _INTENT_CHILDREN.setdefault(intent, INTENTS.labels(intent=intent or "unknown"))
    count_on_commit(session, child)


def form_outcome(session: Session, form: str, outcome: str) -> None:
    child = _FORM_CHILDREN.get((form, outcome))
    if child is None:
        child = _FORM_CHILDREN.setdefault((form, outcome), FORM_OUTCOMES.labels(form=form, outcome=outcome))
    count_on_commit(session, child)


def delivery(channel: str, outcome: str) -> None:
    """One push tried by the delivery worker: sent, retry, answer_lost or dead."""
    DELIVERIES.labels(channel=channel, outcome=outcome).inc()


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "OTHER"
    latency = _LATENCY_CHILDREN.get((route, method))
    if latency is None:
        latency = _LATENCY_CHILDREN.setdefault(
            (route, method), REQUEST_SECONDS.labels(route=route, method=method)
        )
    latency.observe(seconds)
    count = _REQUEST_CHILDREN.get((route, method, status))
    if count is None:
        count = _REQUEST_CHILDREN.setdefault(
            (route, method, status), REQUESTS.labels(route=route, method=method, status=str(status))
        )
    count.inc()


# -- read at scrape time ----------------------------------------------------------------------


class DatabaseCollector(Collector):
    """Outbox backlog, dead letters and overdue tickets, read when Prometheus asks."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = reader(engine)
        self.clock = clock
        self._failing = threading.Event()

    def describe(self) -> Iterable[Metric]:
        return []  # read-only figures, not known until read: nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("hgj_database_up", "1 when the figures below could be read from the database")
        try:
            figures = list(self._read())
        except Exception as exc:
            if not self._failing.is_set():  # said once per outage, not on every scrape
                log.warning("metrics: could not read the database: %s", str(exc).splitlines()[0][:200])
            self._failing.set()
            up.add_metric([], 0)
            yield up
            return
        self._failing.clear()
        up.add_metric([], 1)
        yield up
        yield from figures

    def _read(self) -> Iterator[Metric]:
        from models.outbox import outbox_backlog
        from models.sla import overdue_by_kind
        from models.tickets import TicketKind

        now = self.clock.now()
        backlog = outbox_backlog(self.engine, now=now)
        with Session(self.engine) as session:
            overdue = overdue_by_kind(session, now=now)
        yield _gauge(
            "hgj_outbox_pending", "Pushes waiting to be sent (pending or being sent)", backlog["pending"]
        )
        yield _gauge(
            "hgj_outbox_oldest_pending_age_seconds",
            "Age of the oldest push still waiting (0 when none)",
            backlog["oldest_seconds"],
        )
        yield _gauge(
            "hgj_outbox_dead", "Dead letters: pushes given up on (hgj outbox --status dead)", backlog["dead"]
        )
        tickets = GaugeMetricFamily(
            "hgj_tickets_overdue", "Open tickets past their time limit, by kind", labels=["kind"]
        )
        for kind in sorted({*(k.value for k in TicketKind), *overdue}):  # every kind, 0 included
            tickets.add_metric([kind], overdue.get(kind, 0))
        yield tickets


class LeaderCollector(Collector):
    """``hgj_scheduler_leader``: 1 if this process runs the scheduled jobs now."""

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        from scheduler.runner import scheduler_role

        yield _gauge(
            "hgj_scheduler_leader",
            "1 if this process is the active scheduler",
            int(scheduler_role() == "leader"),
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class _Both(Collector):
    """The process-wide registry's figures followed by an engine's (one registry per app)."""

    def __init__(self, *registries: CollectorRegistry) -> None:
        self.registries = registries

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        for registry in self.registries:
            yield from registry.collect()


def app_registry(engine: Engine, clock: Clock) -> CollectorRegistry:
    """Everything one app (or worker) exposes: this process's counters, its database's figures."""
    local = CollectorRegistry(auto_describe=False)
    local.register(DatabaseCollector(engine, clock))
    local.register(LeaderCollector())
    combined = CollectorRegistry(auto_describe=False)
    # With ``hgj serve``'s delivery process: its deliveries and scheduler role added in.
    combined.register(WithChild(_Both(REGISTRY, local)))
    return combined


def metrics_router(registry: CollectorRegistry, *, token: str) -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """The Prometheus text format; with ``[metrics] token`` set, only for that bearer token."""
        if token and not _authorised(request.headers.get("authorization", ""), token):
            return PlainTextResponse(
                "metrics need a bearer token", status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def _authorised(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def serve_metrics(registry: CollectorRegistry, *, host: str, port: int, token: str = "") -> Any:
    """For ``hgj worker``: /metrics on a small HTTP server of its own, with the same optional
    bearer token as the web processes' (stop it with ``.shutdown()``)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from prometheus_client import make_wsgi_app

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # scrapes are not news
            pass

    exposition = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if token and not _authorised(environ.get("HTTP_AUTHORIZATION", ""), token):
            start_response(
                "401 Unauthorized", [("WWW-Authenticate", "Bearer"), ("Content-Type", "text/plain")]
            )
            return [b"metrics need a bearer token"]
        return exposition(environ, start_response)

    server = make_server(host, port, app, Server, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, name="hgj-metrics", daemon=True).start()
    return server
