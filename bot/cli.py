"""The ``hgj`` command: serve, worker, chat, import, outbox, tokens, backup, restore, db upgrade, config init."""

from __future__ import annotations

import os
import signal
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from sqlmodel import Session

from bot import cli_backup, cli_i18n
from bot.cli_admin import outbox, token_app
from bot.cli_common import (
    STATE,
    ConfigOption,
    clock,
    config_sentence,
    database_label,
    engine,
    err,
    fail,
    out,
    require_schema,
    set_now,
    settings,
)
from bot.cli_demo import demo_app
from bot.cli_fees import fees_app
from bot.cli_ledger import ledger_app
from bot.cli_notices import notices_app
from bot.cli_people import person_app
from bot.cli_qrcodes import qrcodes
from bot.cli_residents import residents_app
from bot.db import create_db_engine
from bot.errors import ConfigError
from bot.logs import configure_logging
from bot.settings import Settings, generate_local_config, validate_for_serving

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.background import Background
    from bot.delivery_process import DeliveryProcess

cli_i18n.apply()

app = typer.Typer(
    help="红管家：红色物业的微信公众号助手。每个命令都可以加 --config 指定配置文件。",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="数据库结构（建库、升级）。", no_args_is_help=True)
config_app = typer.Typer(help="配置文件。", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(token_app, name="token")
app.add_typer(notices_app, name="notices")
app.add_typer(ledger_app, name="ledger")
app.add_typer(fees_app, name="fees")
app.add_typer(residents_app, name="residents")
app.add_typer(demo_app, name="demo")
app.add_typer(person_app, name="person")
app.command()(outbox)
app.command()(qrcodes)
cli_backup.register(app)


def _version() -> str:
    try:
        return version("hongguanjia")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        return "未安装"


def _print_version(value: bool) -> None:
    if value:
        out.print(f"红管家 hgj {_version()}")
        raise typer.Exit()


@app.callback()
def root(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="显示版本号并退出。"),
    ] = False,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="假定现在是这个时间（ISO 8601，如 2026-11-23T09:30+08:00），用于演示和测试。",
            hidden=True,
        ),
    ] = None,
) -> None:
    """红管家：红色物业的微信公众号助手。"""
    set_now(now)


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="监听地址。")] = None,
    port: Annotated[int | None, typer.Option(help="监听端口。")] = None,
    no_background: Annotated[
        bool, typer.Option("--no-background", help="本进程不发送推送、不运行定时任务。")
    ] = False,
) -> None:
    """启动服务：公众号/企业微信回调、管理接口、控制台；同时发送推送、运行定时任务。"""
    import uvicorn

    from bot.app import create_app

    chosen = settings(config)
    try:
        validate_for_serving(chosen)
    except ConfigError as exc:
        fail(str(exc))
    configure_logging(chosen.log)  # [log] format = "text" | "json"
    host, port = host or chosen.server.host, port or chosen.server.port
    db = create_db_engine(chosen.database.url, echo=chosen.database.echo)
    require_schema(db, chosen.database.url)
    base = f"http://{host}:{port}"
    err.print(config_sentence(), highlight=False)
    out.print(f"红管家已启动：{base}", highlight=False)
    out.print(
        f"  控制台 {base}/console/（用配置文件 [admin] tokens 里的令牌登录）", markup=False, highlight=False
    )
    out.print(
        f"  管理接口文档 {base}/docs　健康检查 {base}/healthz　公众号回调 {base}/wechat", highlight=False
    )
    out.print("试试对话：另开一个终端运行 [bold].venv/bin/hgj chat --as demo-resident-wang[/]")
    # uvicorn ends on SIGTERM by raising it again once it has shut down: as SystemExit here, so that
    # the delivery process is stopped below (systemd's stop, and `kill`, end the server so).
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    background = _beside_server(chosen, db, enabled=not no_background, config=config)
    try:
        # log_config=None: uvicorn's own lines go through the root logger configured above.
        app = create_app(chosen, engine=db, clock=clock())
        uvicorn.run(app, host=host, port=port, log_level="warning", log_config=None)
    finally:
        if background is not None:
            background.stop()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _beside_server(
    chosen: Settings, db: Engine, *, enabled: bool, config: str | None
) -> Background | DeliveryProcess | None:
    """Delivery and the scheduler for ``hgj serve``: a child ``hgj worker`` (``[server] delivery =
    "process"``, the default) or threads in this process ("thread")."""
    from sqlalchemy import inspect

    from bot.clock import SystemClock
    from bot.delivery_process import DeliveryProcess

    if not enabled or not inspect(db).has_table("outbox_message"):
        return None
    if chosen.server.delivery == "thread":
        return _background(chosen, db, enabled=True)
    found = STATE.config_found if config is None else Path(config)
    now = None if isinstance(clock(), SystemClock) else clock().now().isoformat()
    child = DeliveryProcess(config=found.resolve() if found is not None else None, now=now)
    child.start()
    return child


def _background(chosen: Settings, db: Engine, *, enabled: bool, threads: int = 1) -> Background | None:
    """Start outbox delivery and the scheduler in this process (None when disabled)."""
    from sqlalchemy import inspect

    from bot.background import Background

    if not enabled or not inspect(db).has_table("outbox_message"):
        return None
    background = Background(settings=chosen, engine=db, clock=clock(), delivery_threads=threads)
    background.start()
    return background


@app.command()
def worker(
    config: ConfigOption = None,
    threads: Annotated[int, typer.Option(help="本进程的推送线程数。")] = 2,
    metrics_port: Annotated[
        int | None, typer.Option(help="在这个端口提供 Prometheus 指标 /metrics（默认不提供）。")
    ] = None,
    metrics_host: Annotated[str, typer.Option(help="指标端口的监听地址。")] = "127.0.0.1",
    parent_pid: Annotated[int | None, typer.Option(hidden=True)] = None,
    quiet: Annotated[bool, typer.Option(hidden=True)] = False,
    metrics_file: Annotated[str | None, typer.Option(hidden=True)] = None,
) -> None:
    """只发送推送、运行定时任务，不提供网页服务（PostgreSQL 上可多开几个）。"""
    import threading

    chosen = settings(config)
    configure_logging(chosen.log)
    db = engine(config)
    background = _background(chosen, db, enabled=True, threads=threads)
    figures = None
    if metrics_file is not None:  # for ``hgj serve``'s /metrics (bot.child_metrics)
        from bot.child_metrics import Writer

        figures = Writer(Path(metrics_file)).start()
    metrics_server = None
    if metrics_port is not None:
        from bot.metrics import app_registry, serve_metrics

        registry = app_registry(db, clock())
        token = chosen.metrics.token
        metrics_server = serve_metrics(registry, host=metrics_host, port=metrics_port, token=token)
        out.print(f"指标：http://{metrics_host}:{metrics_port}/metrics", highlight=False)
    if not quiet:
        out.print(f"红管家后台已启动：{threads} 个推送线程，定时任务同库只有一个在运行。Ctrl+C 退出。")
    stopping = threading.Event()
    # systemd stops with SIGTERM: finish the sends in flight and give up the scheduler's lead.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        # Started by ``hgj serve`` (--parent-pid): stop too when the server is gone, however it ended.
        while not stopping.wait(1.0):
            if parent_pid is not None and os.getppid() != parent_pid:
                break
    except KeyboardInterrupt:
        pass
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
        if background is not None:
            background.stop()
        if figures is not None:
            figures.stop()


@app.command()
def chat(
    as_: Annotated[str, typer.Option("--as", help="以这个 openid 说话（演示居民，或任意新 id）。")],
    config: ConfigOption = None,
) -> None:
    """在终端里和机器人对话，走同一个对话流程和数据库。"""
    from bot.app import build_pipeline
    from bot.console import ConsoleChat, run

    chosen = settings(config)
    db = engine(config)
    pipeline = build_pipeline(chosen, engine=db, clock=clock())
    run(ConsoleChat(engine=db, pipeline=pipeline, openid=as_, clock=clock()))


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="社区数据文件 community.toml（格式见 README）。")],
    config: ConfigOption = None,
) -> None:
    """导入社区（网格、楼栋、房屋、人员、活动……）；先全部检查，可重复导入。"""
    from models.onboarding import ImportError_, import_community

    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"找不到文件 {file}")
    except tomllib.TOMLDecodeError as exc:
        fail(f"{file} 不是有效的 TOML：{exc}")
    db = engine(config)
    try:
        with Session(db) as session, session.begin():
            report = import_community(session, data=data, now=clock().now())
    except ImportError_ as exc:
        err.print(f"[bold red]导入失败，没有写入任何数据。[/]{file} 有 {len(exc.problems)} 处问题：")
        for problem in exc.problems:
            err.print(f"  · {escape(problem)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    created = "，".join(f"{k} {v}" for k, v in report.created.items()) or "无"
    updated = "，".join(f"{k} {v}" for k, v in report.updated.items()) or "无"
    out.print(f"导入完成：新增 {created}；已存在并更新 {updated}。")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """建立数据库，或把已有数据库升级到最新结构。"""
    from bot.migrate import upgrade

    chosen = settings(config)
    err.print(config_sentence(), highlight=False)
    where = database_label(chosen.database.url)
    before, after = upgrade(create_db_engine(chosen.database.url))
    if before is None:
        out.print(f"已新建数据库：{where}（结构版本 {after}）。", highlight=False)
    elif before != after:
        out.print(f"数据库已从结构版本 {before} 升级到 {after}：{where}。", highlight=False)
    else:
        out.print(f"数据库已是最新结构（{after}），无需改动：{where}。", highlight=False)


@config_app.command("init")
def config_init(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            "--path",
            help="写到哪个文件（默认：环境变量 HGJ_CONFIG，否则当前目录的 config.toml）。",
        ),
    ] = None,
    if_missing: Annotated[bool, typer.Option("--if-missing", help="文件已存在时什么也不做。")] = False,
) -> None:
    """根据 config.example.toml 生成本机配置，token 和密钥随机生成。"""
    config = config or Path(os.environ.get("HGJ_CONFIG") or "config.toml")
    if config.exists():
        if if_missing:
            out.print(
                f"{config.resolve()} 已存在，未改动（管理员令牌见其中 [admin] tokens）。",
                markup=False,
                highlight=False,
            )
            return
        fail(f"{config} 已存在；如需重新生成请先删除它。")
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    generate_local_config(example, config)
    token = tomllib.loads(config.read_text(encoding="utf-8"))["admin"]["tokens"][0]
    out.print(
        f"已生成 {config.resolve()}（含随机 token 和 EncodingAESKey，请勿提交到代码库）。", highlight=False
    )
    out.print(
        f"管理员令牌（在该文件 [admin] tokens 中，登录控制台 /console/ 用）：{token}",
        markup=False,
        highlight=False,
    )


def main() -> None:
    try:
        app()
    except ConfigError as exc:  # pragma: no cover - last resort
        err.print(f"[bold red]错误：[/]{escape(str(exc))}", highlight=False)
        sys.exit(2)
