"""``hgj residents import FILE.csv``: the room register, written in chunks with a progress bar.

The same import as ``POST /api/v1/residents/import``: every line checked first (nothing written
if one is bad), then chunks of short transactions, so a running ``hgj serve`` keeps answering
residents while a large file goes in. The operation is recorded as for the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock, err, out, read_bytes
from bot.cli_common import engine as _engine

residents_app = typer.Typer(help="住户名册（房屋、面积、住户）。", no_args_is_help=True)


@residents_app.command("import")
def import_residents(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV 文件，表头 楼栋,单元,房号,面积,姓名,电话[,关系]（UTF-8 或 GB18030；关系：业主、家庭成员或租户）"
        ),
    ],
    config: ConfigOption = None,
) -> None:
    """导入住户（业主）名册：先检查每一行，有问题就一条不写并列出；没问题再分批写入，可重复导入；姓名、电话、房屋一致的住户登记随即核实。"""
    from bot.chunked import import_roster_rows, start
    from bot.db import reader
    from models.access import Actor, ApiRole
    from models.actors import CLI
    from models.csvfile import CsvEncodingError, decode
    from models.residents import RosterError, check_roster

    raw = read_bytes(file)
    engine, now = _engine(config), clock().now()
    try:
        with Session(reader(engine)) as session:
            rows = check_roster(session, text=decode(raw))
    except (RosterError, CsvEncodingError) as exc:
        err.print(
            f"[bold red]导入失败，没有写入任何数据。[/]{escape(str(file))} 有 {len(exc.problems)} 处问题："
        )
        for problem in exc.problems:
            err.print(f"  · {escape(problem)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    actor = Actor(role=ApiRole.admin, name="命令行", tag=CLI.tag, label=CLI.label)
    operation_id = start(engine, kind="residents-import", total=len(rows), now=now, detail={"by": actor.tag})
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )
    with bar:
        task = bar.add_task("导入住户名册", total=len(rows))
        report = import_roster_rows(
            engine,
            rows,
            operation_id=operation_id,
            actor=actor,
            now=now,
            progress=lambda done: bar.update(task, completed=done),
        )
    out.print(
        f"导入完成：{report['lines']} 行，新增房屋 {report['rooms_created']}，更新面积 {report['rooms_updated']}，"
        f"新增住户 {report['people_created']}，更新住户 {report['people_updated']}，未变 {report['unchanged']}；"
        f"与名册核对一致、已核实的住户登记 {report['claims_verified']}。"
    )
