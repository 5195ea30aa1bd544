"""``hgj notices publish-due`` and ``hgj ledger import FILE``: long admin operations with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from bot.clock import SystemClock
from bot.db import create_db_engine, write_gate

notices_app = typer.Typer(help="Announcements (公告).", no_args_is_help=True)
ledger_app = typer.Typer(
    help="三公开: the monthly ledger of public income and fund use.", no_args_is_help=True
)
err = Console(stderr=True)
out = Console()

ConfigOption = Annotated[str | None, typer.Option("--config", "-c", help="Config file.")]


def _engine(config: str | None):  # type: ignore[no-untyped-def]
    from bot.cli import _require_schema, _settings

    engine = create_db_engine(_settings(config).database.url)
    _require_schema(engine)
    return engine


def _bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )


@notices_app.command("publish-due")
def publish_due_now(config: ConfigOption = None) -> None:
    """Publish every notice whose time has come now (what the scheduler does every minute)."""
    from models.notices import due_notice_ids, publish_notice

    engine, now = _engine(config), SystemClock().now()
    published = 0
    with _bar() as bar, write_gate(engine), Session(engine) as session:
        task = bar.add_task("推送公告", total=None)
        with session.begin():
            for notice_id in due_notice_ids(session, now=now):
                done = publish_notice(
                    session,
                    notice_id=notice_id,
                    now=now,
                    progress=lambda n, total: bar.update(task, completed=n, total=total),
                )
                published += done is not None
    out.print(f"已发布 {published} 条公告。")


@ledger_app.command("import")
def import_ledger(
    file: Annotated[Path, typer.Argument(help="CSV: month,kind,item,amount_yuan,note,building")],
    config: ConfigOption = None,
) -> None:
    """Import ledger entries from a CSV, all or nothing; bad lines are listed."""
    from models.ledger import LedgerError, import_csv, parse_csv

    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        err.print(f"[bold red]错误：[/]找不到文件 {escape(str(file))}")
        raise typer.Exit(2) from None
    engine, now = _engine(config), SystemClock().now()
    rows, _ = parse_csv(text)
    with _bar() as bar, write_gate(engine), Session(engine) as session:
        task = bar.add_task("导入收支", total=len(rows))
        try:
            with session.begin():
                entries = import_csv(session, text=text, created_by="cli", now=now)
                bar.update(task, completed=len(entries))
        except LedgerError as exc:
            bar.stop()
            err.print(
                f"[bold red]导入失败，没有写入任何数据。[/]{escape(str(file))} 有 {len(exc.problems)} 处问题："
            )
            for problem in exc.problems:
                err.print(f"  · {escape(problem)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    out.print(f"已导入 {len(entries)} 条收支记录。")


@ledger_app.command("show")
def show(month: Annotated[str, typer.Argument(help="e.g. 2026-11")], config: ConfigOption = None) -> None:
    """Print a month's 三公开 text as residents will read it."""
    from models.ledger import summary_text

    with Session(_engine(config)) as session:
        text = summary_text(session, month=month)
    out.print(escape(text) if text else f"{month} 没有收支记录。", highlight=False)
