"""The FastAPI application: webhooks, admin API and health, wired to one engine and one clock."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from bot import observe
from bot.api import api_router
from bot.body_limit import BodyLimit
from bot.chunked import Operations
from bot.clock import Clock, SystemClock
from bot.db import create_db_engine, probe_write
from bot.delivery_process import delivery_status
from bot.dispatcher import Dispatcher
from bot.docs import TITLE, mount_docs
from bot.errors import WireError
from bot.mydata import router as my_data_router
from bot.pipeline import Pipeline
from bot.replay import replay_guard
from bot.settings import Settings
from bot.spool import Spool, spool_directory
from bot.web import mount_console
from bot.webhook import WebhookApp
from bot.wechat import WeChatGateway, wechat_router, wechat_webhook
from bot.wecom import WeComGateway, wecom_router, wecom_webhook
from models.outbox import outbox_backlog
from scheduler.runner import scheduler_role

log = logging.getLogger(__name__)


def build_dispatcher(settings: Settings) -> Dispatcher:
    from handlers import FALLBACK, ROUTERS
    from nlp import understand

    return Dispatcher(ROUTERS, settings=settings, understand=understand, fallback=FALLBACK)


def build_pipeline(
    settings: Settings, *, engine: Engine, clock: Clock, spool: Spool | None = None
) -> Pipeline:
    return Pipeline(
        engine=engine,
        dispatcher=build_dispatcher(settings),
        clock=clock,
        workers=settings.database.pipeline_workers,
        reply_within=settings.server.reply_within_seconds,
        spool=spool,
    )


@asynccontextmanager
async def _warm_up(app: FastAPI) -> AsyncIterator[None]:
    """Build the NLU models before the first resident waits for them (about a second)."""
    from nlp import understand
    from nlp.faq import default_kb

    await run_in_threadpool(understand, "你好")
    await run_in_threadpool(default_kb)
    # The NLU models and jieba's dictionary live for the whole process: keep them out of the
    # garbage collector's full passes, which otherwise pause every request behind them.
    gc.collect()
    gc.freeze()
    # Messages held when the service last stopped (told 「收到，正在处理」, not yet handled): taken
    # up beside serving, so a start never waits on a locked database for them.
    app.state.resuming = asyncio.ensure_future(app.state.pipeline.resume())
    yield
    app.state.operations.close()
    app.state.pipeline.close()


def create_app(settings: Settings, *, engine: Engine | None = None, clock: Clock | None = None) -> FastAPI:
    engine = engine or create_db_engine(settings.database.url, echo=settings.database.echo)
    clock = clock or SystemClock()
    pipeline = build_pipeline(settings, engine=engine, clock=clock, spool=Spool(spool_directory(settings)))
    app = WebhookApp(title=TITLE, version="0.1.0", lifespan=_warm_up, docs_url=None, redoc_url=None)
    app.state.settings, app.state.engine, app.state.clock, app.state.pipeline = (
        settings,
        engine,
        clock,
        pipeline,
    )
    app.state.operations = Operations()

    limits = settings.admin
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes, upload_limit=limits.max_upload_bytes)

    @app.exception_handler(WireError)
    async def _wire_error(request: Request, exc: WireError) -> PlainTextResponse:
        log.warning("%s %s rejected (%d): %s", request.method, request.url.path, exc.status_code, exc)
        return PlainTextResponse(str(exc), status_code=exc.status_code)

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        """200 only when the database takes a write; with the outbox backlog, the scheduler role and
        (under ``hgj serve``) the state of the delivery process."""
        try:
            written = probe_write(engine)
            backlog = outbox_backlog(engine, now=clock.now())
        except Exception as exc:
            log.error("health check: the database does not take a write: %s", exc)
            return JSONResponse(
                {"status": "error", "database": "not writable", "reason": str(exc).splitlines()[0][:200]},
                status_code=503,
            )
        body = {"status": "ok", "database": written, "outbox": backlog, "scheduler": scheduler_role()}
        child = delivery_status()  # ``hgj serve``'s delivery process (it also runs the scheduler)
        if child is not None:
            body["delivery"] = child
        return JSONResponse(body)

    if settings.wechat.enabled:
        seen = replay_guard(engine, settings.wechat.replay_window_seconds)
        gateway = WeChatGateway(settings.wechat, clock, seen)
        app.include_router(wechat_router(gateway))
        app.fast_webhooks["/wechat"] = wechat_webhook(gateway, pipeline)
    if settings.wecom.enabled:
        work_gateway = WeComGateway(settings.wecom, clock)
        app.include_router(wecom_router(work_gateway))
        app.fast_webhooks["/wecom"] = wecom_webhook(work_gateway, pipeline)  # POST: see bot.webhook
    app.include_router(api_router())
    app.include_router(my_data_router)  # /me/export/{token}: a resident's own data
    mount_console(app)
    mount_docs(app)  # /docs and /redoc with local assets: no CDN

    # Operations: GET /metrics, and a request id + latency around every request (webhooks too).
    observe.install(app, settings, engine=engine, clock=clock)
    return app
