"""The ``hgj`` command: serve, worker, chat, import, outbox, db upgrade, config init."""

from __future__ import annotations

import logging
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlmodel import Session

from bot.cli_demo import demo_app
from bot.cli_notices import ledger_app, notices_app
from bot.clock import SystemClock
from bot.db import create_db_engine
from bot.errors import ConfigError
from bot.settings import Settings, generate_local_config, load_settings, validate_for_serving

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.background import Background

app = typer.Typer(
    help="红管家 Hongguanjia — 红色物业 WeChat chatbot.", no_args_is_help=True, add_completion=False
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
token_app = typer.Typer(help="Admin API tokens with roles.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration files.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(token_app, name="token")
app.add_typer(notices_app, name="notices")
app.add_typer(ledger_app, name="ledger")
app.add_typer(demo_app, name="demo")
err = Console(stderr=True)
out = Console()

ConfigOption = Annotated[
    str | None, typer.Option("--config", "-c", help="Config file (default: $HGJ_CONFIG or ./config.toml).")
]


def _settings(config: str | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as exc:
        _fail(str(exc))


def _fail(sentence: str) -> typer.Exit:
    err.print(f"[bold red]错误：[/]{escape(sentence)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    no_background: Annotated[
        bool, typer.Option("--no-background", help="Do not deliver the outbox or run the scheduler here.")
    ] = False,
) -> None:
    """Serve the webhooks, the admin API and /healthz; deliver the outbox and run the scheduler."""
    import uvicorn

    from bot.app import create_app

    settings = _settings(config)
    try:
        validate_for_serving(settings)
    except ConfigError as exc:
        _fail(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job run is noise
    host, port = host or settings.server.host, port or settings.server.port
    engine = create_db_engine(settings.database.url, echo=settings.database.echo)
    out.print(f"红管家已启动：http://{host}:{port}  （公众号回调 /wechat，管理接口 /api/v1，文档 /docs）")
    out.print("试试对话：另开一个终端运行 [bold].venv/bin/hgj chat --as demo-resident-wang[/]")
    background = _background(settings, engine, enabled=not no_background)
    try:
        uvicorn.run(create_app(settings, engine=engine), host=host, port=port, log_level="warning")
    finally:
        if background is not None:
            background.stop()


def _background(settings: Settings, engine: Engine, *, enabled: bool, threads: int = 1) -> Background | None:
    """Start outbox delivery and the scheduler beside the server (None when disabled)."""
    from sqlalchemy import inspect

    from bot.background import Background

    if not enabled or not inspect(engine).has_table("outbox_message"):
        return None
    background = Background(settings=settings, engine=engine, clock=SystemClock(), delivery_threads=threads)
    background.start()
    return background


@app.command()
def worker(
    config: ConfigOption = None,
    threads: Annotated[int, typer.Option(help="Delivery threads in this process.")] = 2,
) -> None:
    """Deliver the outbox and run the scheduler, without serving HTTP (for extra processes)."""
    import threading

    settings = _settings(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    engine = create_db_engine(settings.database.url)
    _require_schema(engine)
    background = _background(settings, engine, enabled=True, threads=threads)
    out.print(f"红管家后台已启动：{threads} 个推送线程，定时任务同库只有一个在运行。Ctrl+C 退出。")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        if background is not None:
            background.stop()


@app.command()
def outbox(
    config: ConfigOption = None,
    status: Annotated[
        str | None, typer.Option(help="Only rows in this status: pending, sending, sent, dead.")
    ] = None,
    retry: Annotated[int | None, typer.Option("--retry", help="Send this dead letter again.")] = None,
    retry_all_dead: Annotated[
        bool, typer.Option("--retry-all-dead", help="Send every dead letter again.")
    ] = False,
    limit: Annotated[int, typer.Option(help="How many rows to list.")] = 50,
) -> None:
    """List pushes (newest first) and retry dead letters."""
    settings = _settings(config)
    engine = create_db_engine(settings.database.url)
    try:
        _outbox(engine, status=status, retry=retry, retry_all_dead=retry_all_dead, limit=limit)
    finally:
        engine.dispose()


def _outbox(
    engine: Engine, *, status: str | None, retry: int | None, retry_all_dead: bool, limit: int
) -> None:
    from rich.table import Table

    from models import outbox as outbox_
    from models.outbox import OutboxStatus

    _require_schema(engine)
    now = SystemClock().now()
    if retry is not None or retry_all_dead:
        with Session(engine) as session, session.begin():
            if retry_all_dead:
                count = outbox_.retry_all_dead(session, now=now)
                out.print(f"已重新排队 {count} 条失败推送。")
                return
            try:
                outbox_.retry_dead(session, message_id=retry, now=now)  # type: ignore[arg-type]
            except (LookupError, ValueError) as exc:
                _fail(str(exc))
        out.print(f"推送 #{retry} 已重新排队，稍后发送。")
        return
    try:
        chosen = OutboxStatus(status) if status else None
    except ValueError:
        _fail(f"没有状态 {status}：可选 pending、sending、sent、dead。")
    with Session(engine) as session:
        rows = outbox_.listing(session, status=chosen, limit=limit)
    table = Table("id", "status", "to", "via", "attempts", "error", "text")
    for row in rows:
        to = f"person {row.person_id}" if row.person_id is not None else f"building {row.building_id}"
        table.add_row(
            str(row.id),
            row.status,
            to,
            row.via,
            str(row.attempts),
            escape(row.last_error),
            escape(row.text[:40]),
        )
    out.print(table)
    out.print(f"共 {len(rows)} 条。")


@app.command()
def chat(
    as_: Annotated[str, typer.Option("--as", help="The openid to speak as (a demo resident or any new id).")],
    config: ConfigOption = None,
) -> None:
    """Talk to the bot in the terminal, through the same dispatcher and database."""
    from bot.app import build_pipeline
    from bot.console import ConsoleChat, run

    settings = _settings(config)
    engine = create_db_engine(settings.database.url)
    _require_schema(engine)
    clock = SystemClock()
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    run(ConsoleChat(engine=engine, pipeline=pipeline, openid=as_, clock=clock))


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="community.toml (format in README)")],
    config: ConfigOption = None,
) -> None:
    """Load a community (grids, buildings, rooms, people). Safe to run again."""
    from models.onboarding import ImportError_, import_community

    settings = _settings(config)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(f"找不到文件 {file}")
    except tomllib.TOMLDecodeError as exc:
        _fail(f"{file} 不是有效的 TOML：{exc}")
    engine = create_db_engine(settings.database.url)
    _require_schema(engine)
    try:
        with Session(engine) as session, session.begin():
            report = import_community(session, data=data, now=SystemClock().now())
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
    """Create or migrate the database schema to the latest version."""
    from bot.migrate import upgrade

    settings = _settings(config)
    upgrade(create_db_engine(settings.database.url))
    out.print("数据库已是最新结构。")


@config_app.command("init")
def config_init(
    path: Annotated[Path, typer.Option(help="Where to write the config.")] = Path("config.toml"),
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Do nothing if the file exists.")] = False,
) -> None:
    """Write a local config from config.example.toml with fresh random token and keys."""
    if path.exists():
        if if_missing:
            return
        _fail(f"{path} 已存在；如需重新生成请先删除它。")
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    generate_local_config(example, path)
    out.print(f"已生成 {path}（含随机 token 和 EncodingAESKey，请勿提交到代码库）。")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="Who will use it, e.g. 刘志强.")],
    role: Annotated[str, typer.Option(help="admin | secretary | staff | grid_worker")],
    person: Annotated[
        str | None, typer.Option(help="Their openid (required for grid_worker: sets the grid).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Issue a token; it is printed once and only its hash is stored."""
    from models.access import ApiRole, issue_token
    from models.people import person_by_openid

    if role not in ApiRole.__members__:
        _fail(f"角色 {role} 无效，可选：{', '.join(ApiRole)}")
    engine = create_db_engine(_settings(config).database.url)
    _require_schema(engine)
    with Session(engine) as session, session.begin():
        who = person_by_openid(session, person) if person else None
        if person and who is None:
            _fail(f"找不到 openid 为 {person} 的人员")
        try:
            token = issue_token(session, name=name, role=ApiRole(role), person=who, now=SystemClock().now())
        except ValueError as exc:
            _fail(f"无法创建：{exc}")
    out.print(f"已为 {name}（{role}）创建令牌，请妥善交给本人，它只显示这一次：")
    out.print(token, markup=False, highlight=False)


@token_app.command("list")
def token_list(config: ConfigOption = None) -> None:
    """Show issued tokens (never their values)."""
    from sqlmodel import select

    from models.access import ApiToken

    engine = create_db_engine(_settings(config).database.url)
    _require_schema(engine)
    with Session(engine) as session:
        for record in session.exec(select(ApiToken).order_by(ApiToken.id)):  # type: ignore[arg-type]
            state = "已吊销" if record.revoked_at else "有效"
            out.print(f"{record.id}\t{record.name}\t{record.role.value}\t{state}", markup=False)


@token_app.command("revoke")
def token_revoke(token_id: int, config: ConfigOption = None) -> None:
    """Revoke a token by its id (see ``hgj token list``)."""
    from models.access import revoke_token

    engine = create_db_engine(_settings(config).database.url)
    _require_schema(engine)
    try:
        with Session(engine) as session, session.begin():
            revoke_token(session, token_id=token_id, now=SystemClock().now())
    except LookupError:
        _fail(f"没有编号为 {token_id} 的令牌")
    out.print(f"令牌 {token_id} 已吊销。")


def _require_schema(engine: object) -> None:
    from sqlalchemy import inspect

    if not inspect(engine).has_table("person"):  # type: ignore[arg-type]
        _fail("数据库还没有初始化，请先运行 hgj db upgrade。")


def main() -> None:
    try:
        app()
    except ConfigError as exc:  # pragma: no cover - last resort
        err.print(f"[bold red]错误：[/]{escape(str(exc))}", highlight=False)
        sys.exit(2)
