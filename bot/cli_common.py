"""What every ``hgj`` command shares: the config it read, the clock, the database, one-line errors.

The clock is injected like everywhere else: ``hgj --now 2026-11-23T09:30+08:00 …`` runs any
command as if it were that moment (time then moves on from there), so scripts and tests never
depend on the machine's date.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url

from bot.clock import LOCAL_TZ, Clock, SystemClock
from bot.errors import ConfigError
from bot.settings import Settings, load_settings, resolve_config_path

if TYPE_CHECKING:
    from sqlalchemy import Engine

# soft_wrap: a line is never broken at the console's width (80 columns when piped or under a test
# runner), so a summary written to a log or read by a script keeps each figure whole.
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config", "-c", help="配置文件路径（默认：环境变量 HGJ_CONFIG，否则当前目录的 config.toml）。"
    ),
]


class OffsetClock:
    """The system clock shifted so that it read ``start`` when it was made; it keeps running."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


class _State:
    clock: Clock = SystemClock()
    config_found: Path | None = None
    config_searched: bool = False


STATE = _State()


def set_now(value: str | None) -> None:
    """``--now``: an ISO 8601 time (Beijing time when it has no offset), or None for the real clock."""
    if value is None:
        STATE.clock = SystemClock()
        return
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now 的时间格式不对：{value}（例如 2026-11-23T09:30+08:00）")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    STATE.clock = OffsetClock(moment)


def clock() -> Clock:
    return STATE.clock


def fail(sentence: str) -> NoReturn:
    err.print(f"[bold red]错误：[/]{escape(sentence)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def read_bytes(file: Path) -> bytes:
    """A file the command was given, or the one-line error (exit 2) when it is not there."""
    try:
        return file.read_bytes()
    except FileNotFoundError:
        fail(f"找不到文件 {file}")


def read_csv(file: Path) -> str:
    """A CSV file's text in whatever encoding Excel saved it, or a one-line error: missing (exit 2),
    not text (exit 1, nothing written)."""
    from models.csvfile import CsvEncodingError, decode

    try:
        return decode(read_bytes(file))
    except CsvEncodingError as exc:
        err.print(f"[bold red]导入失败，没有写入任何数据。[/]{escape(str(exc))}")
        raise typer.Exit(1) from None


def settings(config: str | None) -> Settings:
    """Load settings and remember which file they came from (said once, on stderr)."""
    try:
        STATE.config_found = resolve_config_path(config)
        STATE.config_searched = True
        return load_settings(config)
    except ConfigError as exc:
        fail(str(exc))


def config_sentence() -> str:
    if STATE.config_found is not None:
        return f"配置文件：{STATE.config_found.resolve()}"
    return (
        f"没有找到配置文件（{Path.cwd()} 下没有 config.toml，也没有设置 HGJ_CONFIG），"
        "正在使用默认设置。请到运行 make run 的目录执行，或用 --config 指定。"
    )


def database_label(url: str) -> str:
    """Where the data lives, for people: the SQLite file's full path, or PostgreSQL's host and name."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite 文件 {Path(parsed.database or '').resolve()}"
    return f"PostgreSQL {parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database}"


def engine(config: str | None) -> Engine:
    """The database engine for a command that needs the schema to exist already."""
    from bot.db import create_db_engine

    chosen = settings(config)
    db = create_db_engine(chosen.database.url)
    require_schema(db, chosen.database.url)
    return db


def require_schema(db: Engine, url: str | None = None) -> None:
    from sqlalchemy import inspect

    if inspect(db).has_table("person"):
        return
    where = f"（{database_label(url)}）" if url else ""
    hint = "" if STATE.config_found is not None or not STATE.config_searched else config_sentence()
    fail(f"数据库还没有初始化{where}，请先运行 hgj db upgrade。{hint}")
