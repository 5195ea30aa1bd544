"""A resident's own data in chat: 「导出我的信息」 and 「删除我的信息」 (个人信息保护法 第四十五、四十七条).

Both are explicit commands: they are taken even while another form is open (that form is put
aside). The export answers with a short summary and, when ``[privacy] public_url`` is set, a
signed link to the full copy (a page for the phone plus a JSON download) that works for
``link_minutes``; a reply in chat holds about 2 KB, far too little for the whole record. The
deletion explains what goes and what stays anonymised, and waits for the exact words 「确认删除」:
a bare 「是」 or 「删除」 inside this or any other flow never erases anything.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from sqlmodel import col, select

from bot.context import Context
from bot.export_links import export_url, issue_token
from bot.forms import Form, clear_form, start_form
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import home, hotline, hotline_number
from models.access import audit
from models.actors import self_service
from models.erasure import ERASABLE_ROLES, ErasureRefused, erase_person, tell_office
from models.inbound import keep_anonymous
from models.personal_data import counts
from models.tickets import OPEN, Ticket

router = Router("personal_data")

TEXTS = {
    "summary": "{salutation}，红管家保存着您的：{parts}。",
    "nothing": "{salutation}，红管家目前只保存了您的微信标识，没有别的信息。",
    "link": "完整内容请在 {minutes} 分钟内点开查看或下载（仅限本人，请勿转发）：\n{url}",
    "office": "如需完整副本，请到物业服务中心办理{phone}。",
    "explain": (
        "删除后无法恢复：\n"
        "· 删除：姓名、电话、房屋绑定、聊天记录，积分作废，未领取的兑换和未开始的活动报名会取消。\n"
        "· 保留但不再显示您的身份：报过的工单、投过的票（票数不变）。\n"
        "确认删除请回复：确认删除\n不删了请回复「取消」。"
    ),
    "ask": "确认删除请回复：确认删除；不删了请回复「取消」。",
    "erased": "已删除您的个人信息。以后再发消息，我们会把您当作新用户。",
    "erased_open": "您还没办完的 {codes} 会继续处理，但我们无法再通知您进度，可拨打{hotline}询问。",
    "office_role": "您的账号由社区统一管理，如需删除个人信息，请联系社区管理员办理。",
    "nothing_to_confirm": "现在没有待确认的删除。如需删除您的信息，请回复「删除我的信息」。",
}
_POLITE = r"\s*(请|请你|帮我|请帮我|麻烦|麻烦你|我要|我想|我想要)?\s*"
_END = r"(吧|一下|谢谢)?\s*[。！!？?~]?\s*"
EXPORT = _POLITE + r"((导出|下载|查看|查询|获取)\s*)?(我的个人|我的|个人)(信息|数据|资料)(副本)?" + _END
ERASE = (
    _POLITE
    + r"((删除|清除|删掉|注销)\s*(我的个人|我的|个人)(信息|数据|资料|账号|账户)|注销(账号|账户)?)"
    + _END
)
UNITS = (
    ("tickets", "报修投诉", "件"),
    ("ballots", "投票", "次"),
    ("signups", "活动报名", "次"),
    ("points", "积分", "分"),
    ("redemptions", "兑换", "次"),
    ("messages", "发来的消息", "条"),
)
CONFIRM = re.compile(r"\s*确认删除\s*[。！!]?\s*")


class ErasureForm(Form):
    """One question: the exact words 「确认删除」."""

    name = "erase_me"
    title = "删除我的信息"
    intent = "privacy"
    required_slots = ("confirmed",)
    prompts: ClassVar[dict[str, str]] = {"confirmed": TEXTS["ask"]}

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        return {"confirmed": True} if CONFIRM.fullmatch(ctx.text) else {}

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        return erase_me(ctx)


erasure_form = router.form(ErasureForm())


@router.command(EXPORT, explicit=True)
def export_me(ctx: Context) -> list[Reply]:
    person = ctx.person
    replies = [Text(_summary(ctx))]
    url = ""
    if person.openid:
        token, _ = issue_token(ctx.settings, person, now=ctx.now)
        url = export_url(ctx.settings, token)
    if url:
        replies.append(Text(TEXTS["link"].format(minutes=ctx.settings.privacy.link_minutes, url=url)))
    else:
        number = hotline_number(ctx)
        replies.append(Text(TEXTS["office"].format(phone=f"（电话 {number}）" if number else "")))
    audit(
        ctx.session,
        actor=self_service(person.id),  # type: ignore[arg-type]
        action="person.export",
        now=ctx.now,
        target=f"person:{person.id}",
        via="chat",
        link=bool(url),
    )
    return replies


def _summary(ctx: Context) -> str:
    person, figures = ctx.person, counts(ctx.session, ctx.person)
    parts = [what for what, held in (("姓名", person.name), ("电话", person.phone)) if held]
    if home(ctx):
        parts.append(f"房屋绑定（{home(ctx)}）")
    for key, what, unit in UNITS:
        if figures[key]:
            parts.append(f"{what} {figures[key]} {unit}")
    if not parts:
        return TEXTS["nothing"].format(salutation=person.salutation)
    return TEXTS["summary"].format(salutation=person.salutation, parts="、".join(parts))


@router.command(ERASE, explicit=True)
def ask_to_erase(ctx: Context) -> list[Reply]:
    if ctx.person.role not in ERASABLE_ROLES:
        return [Text(TEXTS["office_role"])]
    start_form(ctx, erasure_form, {})  # asks 「确认删除」; the fuller explanation goes first
    return [Text(TEXTS["explain"])]


@router.command(CONFIRM.pattern)
def confirm_without_request(ctx: Context) -> list[Reply]:
    """「确认删除」 with no deletion asked for (an open deletion form takes it before this)."""
    return [Text(TEXTS["nothing_to_confirm"])]


def erase_me(ctx: Context) -> list[Reply]:
    person = ctx.person
    open_codes = [
        t.code
        for t in ctx.session.exec(
            select(Ticket)
            .where(Ticket.reporter_id == person.id, col(Ticket.status).in_(OPEN))
            .order_by(col(Ticket.id))
        )
    ]
    try:
        report = erase_person(ctx.session, person=person, now=ctx.now, by=self_service(person.id))  # type: ignore[arg-type]
    except ErasureRefused:
        return [Text(TEXTS["office_role"])]
    tell_office(ctx.session, report=report, now=ctx.now)
    clear_form(ctx)
    ctx.state.paused = {}
    keep_anonymous(ctx.session, ctx.message.dedupe_key)
    replies = [Text(TEXTS["erased"])]
    if open_codes:
        replies.append(
            Text(TEXTS["erased_open"].format(codes="、".join(open_codes[:5]), hotline=hotline(ctx)))
        )
    return replies
