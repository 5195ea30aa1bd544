"""``hgj demo seed``: six weeks of history for the demo community (see ``bot/demo.py``)."""

from __future__ import annotations

import typer
from rich.markup import escape
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock, engine, err, out, settings
from bot.db import write_gate
from models.base import LOCAL_TZ

demo_app = typer.Typer(help="演示社区：生成过去六周的历史数据。", no_args_is_help=True)


@demo_app.command("seed")
def seed(config: ConfigOption = None) -> None:
    """在已导入的演示社区里生成过去六周的工单、活动、报名、积分、议题、通知和上月三公开；已生成过则跳过。"""
    from bot.demo import DemoError, seed_demo

    rules = settings(config).tickets
    db = engine(config)
    now = clock().now()
    try:
        with write_gate(db), Session(db) as session, session.begin():
            report = seed_demo(session, now=now, rules=rules)
    except DemoError as exc:
        err.print(f"[bold red]没有生成演示历史：[/]{escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    if not report.seeded:
        since = report.since.astimezone(LOCAL_TZ) if report.since else None
        when = f"（{since:%Y-%m-%d %H:%M} 生成）" if since else ""
        out.print(f"演示历史已经存在{when}，这次跳过，没有重复生成。", highlight=False)
        return
    out.print(
        f"已生成演示历史：工单 {report.tickets} 件，志愿活动 {report.activities} 个，"
        f"报名 {report.signups} 人次，当时的推送 {report.pushes} 条（记为已送达，不会再发）。",
        highlight=False,
    )
