"""``hgj qrcodes``: 码上办 posters for the community's spots (see ``bot.qrcodes``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.markup import escape
from sqlmodel import Session

from bot.cli_common import ConfigOption, clock, engine, err, fail, out, settings
from bot.outbound.errors import DeliveryError
from bot.outbound.tokens import MpApp, TokenCache
from models.spots import KIND_LABEL, SpotKind, list_spots

KINDS = "、".join(f"{kind.value}（{label}）" for kind, label in KIND_LABEL.items())


def qrcodes(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="海报保存到哪个目录（没有会新建）。")] = Path(
        "qrcodes"
    ),
    building: Annotated[str | None, typer.Option("--building", "-b", help="只生成这栋楼的，例如 3。")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help=f"只生成这一类：{KINDS}。")] = None,
    config: ConfigOption = None,
) -> None:
    """生成码上办二维码海报：每个地点一张 PNG，另有一份合在一起的 PDF，打印后贴在现场。"""
    from bot.qrcodes import SpotCode, create_code, find_font, write_posters

    if kind is not None and kind not in SpotKind.__members__:
        fail(f"没有「{kind}」这一类地点，可选：{KINDS}")
    chosen = settings(config)
    wechat = chosen.wechat
    if not wechat.app_id or not wechat.app_secret:
        fail("配置里没有公众号的 [wechat] app_id 和 app_secret，无法向微信申请二维码。")
    db = engine(config)
    with Session(db, expire_on_commit=False) as session:
        spots = list_spots(session, building=building, kind=kind)
    if not spots:
        fail("没有找到要生成二维码的地点：请先在社区数据文件里写好 [[spots]] 并运行 hgj import。")
    app = MpApp(wechat.api_base_url.rstrip("/"), wechat.app_id, wechat.app_secret)
    codes = []
    with httpx.Client(timeout=10) as client:
        tokens = TokenCache(engine=db, clock=clock(), client=client)
        for spot in spots:
            try:
                ticket, url = create_code(client, tokens, app, spot.scene)
            except (DeliveryError, httpx.HTTPError, ValueError) as exc:
                fail(f"向微信申请「{spot.name}」的二维码失败：{exc}")
            codes.append(SpotCode(spot=spot, ticket=ticket, url=url))
    font = find_font()
    if font is None:
        err.print("提示：这台机器没有中文字体（Debian 可安装 fonts-wqy-microhei），海报上只印地点编号。")
    pngs, pdf = write_posters(codes, out_dir, font=font)
    out.print(
        f"已生成 {len(pngs)} 张海报：{escape(str(out_dir.resolve()))}（PNG 每个地点一张，合集 {pdf.name}）。"
    )
