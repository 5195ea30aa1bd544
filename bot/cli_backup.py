"""``hgj backup PATH`` and ``hgj restore PATH``: the configured database to a file and back.

See ``bot.backup`` for how (SQLite's online backup API, ``pg_dump``/``pg_restore``) and
``deploy/README.md`` for a daily backup timer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.backup import BackupError, BackupInfo, backend_of, target_path
from bot.backup import backup as take_backup
from bot.backup import restore as put_back
from bot.cli_common import ConfigOption, clock, database_label, fail, out, settings

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="确认覆盖已有的文件或数据。")]


def _size(info: BackupInfo) -> str:
    return f"{info.size / 1_048_576:.1f} MB" if info.size >= 104_858 else f"{info.size / 1024:.0f} KB"


def backup(
    path: Annotated[Path, typer.Argument(help="备份到这个文件；给目录则在其中新建带日期的文件。")],
    config: ConfigOption = None,
    yes: YesOption = False,
) -> None:
    """备份数据库（服务运行中也可以，备份是同一时刻的完整数据）。"""
    url = settings(config).database.url
    try:
        stamp = clock().now().strftime("%Y%m%d-%H%M%S")
        info = take_backup(url, target_path(path, backend=backend_of(url), stamp=stamp), overwrite=yes)
    except BackupError as exc:
        fail(str(exc))
    out.print(
        f"已备份 {database_label(url)} 到 {info.path.resolve()}"
        f"（{NAMES[info.backend]}，{_size(info)}，结构版本 {info.revision}）。",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def restore(
    path: Annotated[Path, typer.Argument(help="hgj backup 生成的备份文件。")],
    config: ConfigOption = None,
    yes: YesOption = False,
) -> None:
    """用备份替换当前数据库的全部数据（请先停止服务；已有数据时需加 --yes）。"""
    url = settings(config).database.url
    try:
        restored = put_back(path, url, overwrite=yes)
    except BackupError as exc:
        fail(str(exc))
    info = restored.info
    out.print(
        f"已从 {info.path.resolve()} 恢复到 {database_label(url)}（结构版本 {info.revision}）。",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if restored.upgraded_to:
        out.print(
            f"备份的结构较旧，已升级到 {restored.upgraded_to}。",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
