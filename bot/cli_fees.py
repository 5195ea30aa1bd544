"""``hgj fees …``: the office's bills and payments from its spreadsheets, and the 收缴率."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock, read_csv
from bot.cli_ledger import _database, _refused
from bot.cli_notices import out
from bot.db import write_gate
from models.access import Actor, ApiRole
from models.actors import CLI

fees_app = typer.Typer(help="物业收费：导入账单和缴费记录，查看收缴率。", no_args_is_help=True)
CLI_OFFICE = Actor(role=ApiRole.admin, name="命令行", tag=CLI.tag, label=CLI.label)


def _import(file: Path, config: str | None, kind: str) -> None:
    from models.access import audit
    from models.fee_import import import_charges, import_payments
    from models.fees import FeeError

    text = read_csv(file)
    now = clock().now()
    with _database(config) as engine, write_gate(engine), Session(engine) as session:
        try:
            with session.begin():
                if kind == "charges":
                    done, skipped = import_charges(session, text=text, created_by=CLI.tag, now=now)
                else:
                    done, skipped = import_payments(session, text=text, recorded_by=CLI.tag, now=now)
                audit(
                    session, actor=CLI_OFFICE, action=f"fees.import_{kind}", now=now, target="fees", rows=done
                )
        except FeeError as exc:
            _refused(f"导入失败，没有写入任何数据。{file} 有 {len(exc.problems)} 处问题：", exc.problems)
            raise typer.Exit(1) from None
    what = "条账单" if kind == "charges" else "笔缴费"
    out.print(f"已导入 {done} {what}；{skipped} 条以前已导入，跳过。")


@fees_app.command("import-charges")
def import_charges(
    file: Annotated[
        Path, typer.Argument(help="CSV，表头 building,unit,room,item,period,amount_yuan[,due_on]")
    ],
    config: ConfigOption = None,
) -> None:
    """导入账单（每户每月每项一条）：要么全部导入，要么一条不写；已有的账单跳过。"""
    _import(file, config, "charges")


@fees_app.command("import-payments")
def import_payments(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV，表头 building,unit,room,item,period,amount_yuan[,channel,reference,paid_on]"
        ),
    ],
    config: ConfigOption = None,
) -> None:
    """导入缴费记录：要么全部导入，要么一条不写；同一份文件导入两次不会重复记账。"""
    _import(file, config, "payments")


@fees_app.command("rate")
def rate(
    period: Annotated[str | None, typer.Option(help="账期，如 2026-10；默认全部")] = None,
    config: ConfigOption = None,
) -> None:
    """收缴率：已到期的账单里收回了多少，按楼栋和账期。"""
    from models.fee_stats import collection
    from models.ledger import yuan

    with _database(config) as engine, Session(engine) as session:
        total, rows = collection(session, now=clock().now(), period=period)
    for row in [*rows, total]:
        where = f"{row.building}栋 {row.period}" if row.building else "合计"
        shown = "—" if row.rate is None else f"{row.rate:.1%}"
        out.print(f"{where}：应收 {yuan(row.billed_fen)}，实收 {yuan(row.collected_fen)}，收缴率 {shown}")
