"""``hgj notices publish-due``: publish every due notice now, with a progress bar."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock, err, out
from bot.cli_common import engine as _engine
from bot.db import write_gate

notices_app = typer.Typer(help="公告。", no_args_is_help=True)


def bar() -> Progress:
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
    with bar() as progress, write_gate(engine), Session(engine) as session:
        task = progress.add_task("推送公告", total=None)
        with session.begin():
            for notice_id in due_notice_ids(session, now=now):
                done = publish_notice(
                    session,
                    notice_id=notice_id,
                    now=now,
                    progress=lambda n, total: progress.update(task, completed=n, total=total),
                )
                published += done is not None
    out.print(f"已发布 {published} 条公告。")
