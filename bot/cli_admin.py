"""``hgj outbox`` and ``hgj token …``: looking after pushes and issuing API / console tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock, engine, fail, out

if TYPE_CHECKING:
    from sqlalchemy import Engine

token_app = typer.Typer(help="管理接口与控制台的令牌（按角色授权）。", no_args_is_help=True)


def outbox(
    config: ConfigOption = None,
    status: Annotated[
        str | None, typer.Option(help="只列出这个状态的推送：pending、sending、sent、dead。")
    ] = None,
    retry: Annotated[int | None, typer.Option("--retry", help="重新发送这条失败推送（填编号）。")] = None,
    retry_all_dead: Annotated[bool, typer.Option("--retry-all-dead", help="重新发送所有失败推送。")] = False,
    limit: Annotated[int, typer.Option(help="最多列出多少条。")] = 50,
) -> None:
    """列出推送（最新的在前，含失败原因），重发失败推送。"""
    db = engine(config)
    try:
        _outbox(db, status=status, retry=retry, retry_all_dead=retry_all_dead, limit=limit)
    finally:
        db.dispose()


def _outbox(db: Engine, *, status: str | None, retry: int | None, retry_all_dead: bool, limit: int) -> None:
    from rich.table import Table

    from models import outbox as outbox_
    from models.outbox import OutboxStatus

    now = clock().now()
    if retry is not None or retry_all_dead:
        with Session(db) as session, session.begin():
            if retry_all_dead:
                count = outbox_.retry_all_dead(session, now=now)
                out.print(f"已重新排队 {count} 条失败推送。")
                return
            try:
                outbox_.retry_dead(session, message_id=retry, now=now)  # type: ignore[arg-type]
            except (LookupError, ValueError) as exc:
                fail(str(exc))
        out.print(f"推送 #{retry} 已重新排队，稍后发送。")
        return
    try:
        chosen = OutboxStatus(status) if status else None
    except ValueError:
        fail(f"没有状态 {status}：可选 pending、sending、sent、dead。")
    with Session(db) as session:
        rows = outbox_.listing(session, status=chosen, limit=limit)
    table = Table("编号", "状态", "发给", "渠道", "尝试", "错误", "内容")
    for row in rows:
        to = f"人员 {row.person_id}" if row.person_id is not None else f"楼栋 {row.building_id}"
        table.add_row(
            str(row.id),
            row.status,
            to,
            row.via,
            str(row.attempts),
            escape(row.last_error),
            escape(row.text[:40]),
        )
    out.print(table)
    out.print(f"共 {len(rows)} 条。")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="使用人，例如 刘志强。")],
    role: Annotated[str, typer.Option(help="角色：admin | secretary | staff | grid_worker")],
    person: Annotated[str | None, typer.Option(help="使用人的 openid（网格员必填：据此确定网格）。")] = None,
    config: ConfigOption = None,
) -> None:
    """创建令牌：只显示这一次，库里只存它的哈希。"""
    from models.access import ApiRole, issue_token
    from models.people import person_by_openid

    if role not in ApiRole.__members__:
        fail(f"角色 {role} 无效，可选：{', '.join(ApiRole)}")
    db = engine(config)
    with Session(db) as session, session.begin():
        who = person_by_openid(session, person) if person else None
        if person and who is None:
            fail(f"找不到 openid 为 {person} 的人员")
        try:
            token = issue_token(session, name=name, role=ApiRole(role), person=who, now=clock().now())
        except ValueError as exc:
            fail(f"无法创建：{exc}")
    out.print(f"已为 {name}（{role}）创建令牌，请妥善交给本人，它只显示这一次：")
    out.print(token, markup=False, highlight=False)


@token_app.command("list")
def token_list(config: ConfigOption = None) -> None:
    """列出已创建的令牌（不显示令牌本身）。"""
    from sqlmodel import select

    from models.access import ApiToken

    with Session(engine(config)) as session:
        records = list(session.exec(select(ApiToken).order_by(ApiToken.id)))  # type: ignore[arg-type]
    if not records:
        out.print("还没有创建过令牌。配置文件 [admin] tokens 里的管理员令牌不在此列。", markup=False)
    for record in records:
        state = "已吊销" if record.revoked_at else "有效"
        out.print(f"{record.id}\t{record.name}\t{record.role.value}\t{state}", markup=False)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="令牌编号（见 hgj token list）。")],
    config: ConfigOption = None,
) -> None:
    """吊销一个令牌（用它登录的控制台会话也一并结束）。"""
    from models.access import revoke_token

    db = engine(config)
    try:
        with Session(db) as session, session.begin():
            revoke_token(session, token_id=token_id, now=clock().now())
    except LookupError:
        fail(f"没有编号为 {token_id} 的令牌")
    out.print(f"令牌 {token_id} 已吊销，用它登录的控制台也已退出。")
