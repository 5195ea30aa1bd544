"""``hgj ledger …``: 三公开 import, show, correct, publish — the same figures as the groups see."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy import Engine
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock, read_csv
from bot.cli_common import engine as _engine
from bot.cli_notices import bar, err, out
from bot.db import write_gate

ledger_app = typer.Typer(help="三公开：各账目（公共收益、专项维修资金…）的收支。", no_args_is_help=True)


@contextmanager
def _database(config: str | None) -> Iterator[Engine]:
    """The database, its connections closed when the command is done."""
    engine = _engine(config)
    try:
        yield engine
    finally:
        engine.dispose()


def _refused(title: str, problems: list[str]) -> None:
    err.print(f"[bold red]{escape(title)}[/]")
    for problem in problems:
        err.print(f"  · {escape(problem)}", highlight=False, soft_wrap=True)


@ledger_app.command("import")
def import_ledger(
    file: Annotated[
        Path, typer.Argument(help="CSV 文件，表头 month,kind,item,amount_yuan,note,building,account")
    ],
    config: ConfigOption = None,
) -> None:
    """从 CSV 导入收支：要么全部导入，要么一条不写并列出有问题的行；同一份文件不会导入两次。"""
    from models.ledger import LedgerError
    from models.ledger_import import import_csv, parse_csv

    text = read_csv(file)
    now = clock().now()
    rows, _ = parse_csv(text)
    with _database(config) as engine, bar() as progress, write_gate(engine), Session(engine) as session:
        task = progress.add_task("导入收支", total=len(rows))
        try:
            with session.begin():
                entries = import_csv(session, text=text, created_by="cli", now=now)
                progress.update(task, completed=len(entries))
        except LedgerError as exc:
            progress.stop()
            title = {
                "duplicate": f"这份文件已经导入过，没有写入任何数据：{file}",
                "overlap": f"{file} 中有与已入账记录重复的行，没有写入任何数据：",
                "frozen": f"{file} 涉及已公布的月份，没有写入任何数据：",
            }.get(exc.reason, f"导入失败，没有写入任何数据。{file} 有 {len(exc.problems)} 处问题：")
            _refused(title, exc.problems)
            raise typer.Exit(1) from None
    out.print(f"已导入 {len(entries)} 条收支记录。")


@ledger_app.command("show")
def show(
    month: Annotated[str, typer.Argument(help="月份，如 2026-11；或年份，如 2026（按年公布的账目）")],
    building: Annotated[str | None, typer.Option(help="按该楼栋群看到的样子显示，如 3")] = None,
    config: ConfigOption = None,
) -> None:
    """按居民看到的样子显示三公开：全小区合计含各楼栋的收支，与楼栋群里公布的数字一致。"""
    from sqlmodel import select

    from models.community import Building
    from models.ledger import publication
    from models.ledger_figures import compute, render

    with _database(config) as engine, Session(engine) as session:
        building_id = None
        if building:
            found = session.exec(select(Building).where(Building.number == building.upper())).first()
            if found is None:
                err.print(f"[bold red]错误：[/]没有「{escape(building)}」栋")
                raise typer.Exit(2)
            building_id = found.id
        figures = compute(session, period=month, yearly=len(month) == 4)
        if figures.empty:
            out.print(f"{month} 没有收支记录。", highlight=False)
            return
        out.print(escape(render(session, figures, building_id=building_id)), highlight=False)
        last = publication(session, month)
        if last is None:
            out.print("（尚未公布）", highlight=False)
        elif last.snapshot != figures.snapshot():
            out.print(f"（第{last.number}次公布之后有更正，尚未重新公布）", highlight=False)
        else:
            out.print(f"（已于 {last.published_at:%Y-%m-%d} 第{last.number}次公布）", highlight=False)


@ledger_app.command("correct")
def correct(
    entry_id: Annotated[int, typer.Argument(help="要更正的记录编号")],
    amount_yuan: Annotated[str, typer.Argument(help="正确的金额（元），0 表示作废")],
    reason: Annotated[str, typer.Option(help="更正原因（必填，会随公布一起显示）")],
    config: ConfigOption = None,
) -> None:
    """更正一条收支：原记录保留，另记一笔差额并写明原因（已公布的月份也可以更正）。"""
    from models.actors import CLI
    from models.ledger import LedgerError, correct_entry, parse_yuan, yuan

    try:
        amount = 0 if amount_yuan.strip() in ("0", "0.00") else parse_yuan(amount_yuan)
    except ValueError as exc:
        err.print(f"[bold red]错误：[/]{escape(str(exc))}")
        raise typer.Exit(2) from None
    now = clock().now()
    with _database(config) as engine, write_gate(engine), Session(engine) as session:
        try:
            with session.begin():
                fix = correct_entry(
                    session, entry_id=entry_id, amount_fen=amount, reason=reason, actor=CLI, now=now
                )
                line = (
                    f"已更正 #{entry_id}：记入差额 {yuan(fix.amount_fen)}（更正记录 #{fix.id}），原记录保留。"
                )
        except LedgerError as exc:
            _refused("没有更正：", exc.problems)
            raise typer.Exit(1) from None
    out.print(line, highlight=False)


@ledger_app.command("publish")
def publish(
    period: Annotated[str, typer.Argument(help="月份，如 2026-11；或年份，如 2026（按年公布的账目）")],
    config: ConfigOption = None,
) -> None:
    """推送到各楼栋群并冻结该月；有更正后再次公布会写明「与上次公布相比」的变化。"""
    from models.ledger import LedgerError
    from models.ledger_publish import publish_month, publish_year

    now = clock().now()
    with _database(config) as engine, write_gate(engine), Session(engine) as session:
        try:
            with session.begin():
                if len(period) == 4:
                    pushes = publish_year(session, year=period, now=now, by="cli")
                else:
                    pushes = publish_month(session, month=period, now=now, by="cli")
        except LedgerError as exc:
            _refused("没有公布：", exc.problems)
            raise typer.Exit(2) from None
    out.print(f"{period} 收支已推送到 {pushes} 个楼栋群。" if pushes else f"{period} 没有新的变化需要公布。")
