"""``hgj demo seed``: six weeks of history for the demo community (see ``bot/demo.py``);
``hgj demo generate``: a made-up community of any size (see ``bot/demo_generate.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


@demo_app.command("generate")
def generate(
    households: Annotated[int, typer.Option(min=1, help="至少这么多户（房间）")] = 2000,
    seed: Annotated[int, typer.Option(help="随机种子：同一种子生成同一个社区")] = 2026,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写入的文件；不写则输出到屏幕")
    ] = None,
) -> None:
    """生成一个虚构社区（楼栋、房间、居民、楼栋长、网格员、物业、活动、爱心屋），格式同 examples/demo-community.toml，可用 hgj import 导入。"""
    from bot.demo_generate import generate_community, to_toml

    text = to_toml(generate_community(households, seed=seed))
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"已写入 {escape(str(output))}：{households} 户以上，种子 {seed}。", highlight=False)
