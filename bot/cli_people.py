"""``hgj person export|erase OPENID``: a resident's data on request at the office, from the shell.

The same services and audit log as ``/api/v1/people/{openid}/...``; the audit actor is ``cli``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock, engine, fail, out

person_app = typer.Typer(help="居民个人信息：导出副本、删除（注销）。", no_args_is_help=True)


@person_app.command("export")
def person_export(
    openid: Annotated[str, typer.Argument(help="居民的 openid。")],
    output: Annotated[
        Path | None, typer.Option("--out", help="写入这个文件（JSON）；不填则打印出来。")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """导出这位居民的全部个人信息（JSON），并记入审计日志。"""
    from models.access import audit
    from models.actors import CLI
    from models.people import person_by_openid
    from models.personal_data import export_person

    now = clock().now()
    with Session(engine(config)) as session, session.begin():
        person = person_by_openid(session, openid)
        if person is None:
            fail(f"找不到 openid 为 {openid} 的人员（从未出现过，或已注销）。")
        data = export_person(session, person, now=now)
        detail = {"via": "cli"}
        audit(session, actor=CLI, action="person.export", now=now, target=f"person:{person.id}", **detail)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if output is None:
        out.print(text, markup=False, highlight=False)
        return
    output.write_text(text, encoding="utf-8")
    out.print(
        f"已导出到 {output}（{len(data['tickets'])} 件工单，{data['messages']['total']} 条消息）。",
        markup=False,
    )


@person_app.command("erase")
def person_erase(
    openid: Annotated[str, typer.Argument(help="居民的 openid。")],
    yes: Annotated[bool, typer.Option("--yes", help="确认删除（不可恢复）。")] = False,
    config: ConfigOption = None,
) -> None:
    """删除这位居民的个人信息；工单、投票和积分流水保留但匿名。不可恢复。"""
    from bot.db import lock_keys
    from models.actors import CLI
    from models.erasure import ErasureRefused, erase_person
    from models.people import person_by_openid
    from models.scrub import sweep_step

    if not yes:
        fail("删除不可恢复：确认无误后加 --yes 再运行一次。")
    now, db = clock().now(), engine(config)
    with Session(db) as session, session.begin():
        lock_keys(session, [f"{channel}:{openid}" for channel in ("mp", "console")])  # a message in flight
        person = person_by_openid(session, openid)
        if person is None:
            fail(f"找不到 openid 为 {openid} 的人员（从未出现过，或已注销）。")
        try:
            report = erase_person(session, person=person, now=now, by=CLI)
        except ErasureRefused:
            fail(f"{openid} 是社区工作人员（{person.role.value}），请先在社区数据里改为居民再删除。")
    more = True
    while more:  # pushes to staff quoting them, now rather than by the scheduler; chunk by chunk
        with Session(db) as session, session.begin():
            more = sweep_step(session, operation_id=report.sweep_operation_id, now=now)
    out.print(f"已删除 {openid} 的个人信息（人员 #{report.person_id} 现为「已注销居民」）。", markup=False)
    for item in report.follow_ups:
        out.print(f"  需要安排：{item}", markup=False)
