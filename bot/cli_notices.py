"""``hgj notices publish-due`` and ``hgj ledger import FILE``: long admin operations with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock
from bot.cli_common import engine as _engine
from bot.db import write_gate

notices_app = typer.Typer(help="公告。", no_args_is_help=True)
ledger_app = typer.Typer(help="三公开：每月公共收益与资金使用的收支。", no_args_is_help=True)
err = Console(stderr=True)
out = Console()


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
    """立即发布所有已到时间的公告（定时任务每分钟也会这样做）。"""
    from models.notices import due_notice_ids, publish_notice

    engine, now = _engine(config), clock().now()
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
    file: Annotated[Path, typer.Argument(help="CSV 文件，表头 month,kind,item,amount_yuan,note,building")],
    config: ConfigOption = None,
) -> None:
    """从 CSV 导入收支：要么全部导入，要么一条不写并列出有问题的行。"""
    from models.csvfile import CsvEncodingError, decode
    from models.ledger import LedgerError, import_csv, parse_csv

    try:
        text = decode(file.read_bytes())
    except FileNotFoundError:
        err.print(f"[bold red]错误：[/]找不到文件 {escape(str(file))}")
        raise typer.Exit(2) from None
    except CsvEncodingError as exc:
        err.print(f"[bold red]导入失败，没有写入任何数据。[/]{escape(str(exc))}")
        raise typer.Exit(1) from None
    engine, now = _engine(config), clock().now()
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
def show(month: Annotated[str, typer.Argument(help="月份，如 2026-11")], config: ConfigOption = None) -> None:
    """按居民看到的样子显示某月的三公开。"""
    from models.ledger import summary_text

    with Session(_engine(config)) as session:
        text = summary_text(session, month=month)
    out.print(escape(text) if text else f"{month} 没有收支记录。", highlight=False)
