"""Notices in chat: 最近通知, 本月收支公开 (三公开), muting categories, and admins posting 公告."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.clock import LOCAL_TZ
from bot.context import Context
from bot.forms import Form, Invalid, start_form
from bot.replies import Reply, Text
from bot.router import Router
from models.audience import AudienceError, parse_audience
from models.base import month_of, previous_month
from models.community import Grid
from models.ledger_figures import summary_text
from models.notices import (
    MAX_BODY,
    MAX_TITLE,
    MUTABLE,
    Notice,
    create_notice,
    current_notices,
    mute,
    muted_categories,
    preview,
    publish_notice,
    unmute,
)
from models.people import Role, home_of

router = Router("notice")

TEXTS = {
    "recent_header": "最近的通知：",
    "recent_item": "{n}. 【{title}】{date}\n{body}",
    "recent_none": "最近没有新的通知。有新通知时会第一时间推送给您。",
    "recent_none_category": "最近没有{category}方面的通知。",
    "unbound_hint": "（您还没有绑定房屋，只能看到发给全体居民的通知；回复「绑定」即可绑定。）",
    "ledger_none": "{month}的收支还没有公布，每月1日会在楼栋群公布上个月的收支情况。",
    "ledger_last": "{month}的收支还没有公布，下面是上个月的：",
    "mute_which": "可以关闭的通知类别有：停水停电、活动、议事。例如回复「不再接收活动通知」。",
    "mute_general": "一般通知关系到每位居民，不能关闭；可以关闭的类别有：停水停电、活动、议事。",
    "muted": "好的，以后不再单独给您推送「{category}」类通知（楼栋群里照常发布，想看时回复「最近通知」）。想恢复请回复「恢复接收{category}通知」。",
    "already_muted": "「{category}」类通知已经关闭了。想恢复请回复「恢复接收{category}通知」。",
    "unmuted": "好的，已恢复接收「{category}」类通知。",
    "not_muted": "「{category}」类通知本来就会推送给您，不用恢复。",
    "muted_list": "您现在关闭的通知类别：{categories}。",
    "admins_only": "只有社区管理员可以发布公告。如有消息需要告知大家，请联系社区或楼栋长。",
    "ask_title": "请告诉我公告的标题（不超过{max}个字），例如「12月1日停水通知」。",
    "ask_body": "请发来公告的内容（不超过{max}个字）。",
    "title_too_long": "标题有{n}个字，请控制在{max}个字以内，再发一次标题。",
    "body_too_long": "内容有{n}个字，请控制在{max}个字以内，再发一次内容。",
    "bad_audience": "没有找到这个发送范围：{problem}。请写成「范围：3栋、5栋」或「范围：全体」。",
    "confirm": "请确认要发布的公告：\n【{title}】\n{body}\n发送范围：{audience}（{groups}个楼栋群、{residents}位居民）\n回复「是」立即发布，回复「否」重新填写，或回复「取消」。",
    "published": "公告已发布：将推送到{groups}个楼栋群和{residents}位居民，正在陆续送达。",
    "not_published": "公告已保存，但暂时没能发布，请稍后在管理后台查看。",
}

CATEGORY_WORDS = {
    "停水停电": ("停水", "停电", "停气", "水电", "断水", "断电"),
    "活动": ("活动",),
    "议事": ("议事", "投票", "表决", "协商"),
}
MUTE = re.compile(r"(不再|不想|不要|别再?|不用|屏蔽|关闭|关掉|退订|取消)(再)?(接收|收到?|推送|发|订阅|提醒)?")
UNMUTE = re.compile(r"(恢复|重新|继续|开启|打开|再次)(接收|推送|订阅|提醒)")
MUTED_LIST = re.compile(r"(关闭|屏蔽|关掉)了?(哪些|什么)")
LEDGER = re.compile(r"收支|三公开|账目|财务公开|公共收益|停车费收入|广告收入|维修资金")
LAST_MONTH = re.compile(r"上个?月")
LABELS = {"title": ("标题", "题目"), "body": ("内容", "正文"), "audience": ("范围", "发给", "对象")}
_LABELLED = re.compile(r"(标题|题目|内容|正文|范围|发给|对象)\s*[:：]")


def _category(text: str) -> str | None:
    return next((cat for cat, words in CATEGORY_WORDS.items() if any(w in text for w in words)), None)


def _where(ctx: Context) -> tuple[str | None, str | None, str | None]:
    home = home_of(ctx.session, ctx.person)
    if home is None:
        return None, None, None
    building, room = home
    grid = ctx.session.get(Grid, building.grid_id) if building.grid_id else None
    return building.number, room.unit, grid.name if grid else None


def _month_label(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:])}月"


@router.intent("notice")
def on_notice(ctx: Context) -> list[Reply]:
    text = ctx.text
    if UNMUTE.search(text):
        return _set_mute(ctx, muted=False)
    if MUTED_LIST.search(text):
        categories = muted_categories(ctx.session, person_id=ctx.person.id)  # type: ignore[arg-type]
        return [Text(TEXTS["muted_list"].format(categories="、".join(categories) or "无"))]
    if MUTE.search(text):
        return _set_mute(ctx, muted=True)
    if LEDGER.search(text):
        return ledger(ctx)
    return _recent(ctx)


def _recent(ctx: Context) -> list[Reply]:
    building, unit, grid = _where(ctx)
    category = _category(ctx.text)
    notices = current_notices(
        ctx.session, building=building, unit=unit, grid=grid, now=ctx.now, category=category
    )
    hint = [Text(TEXTS["unbound_hint"])] if building is None else []
    if not notices:
        key = "recent_none_category" if category else "recent_none"
        return [Text(TEXTS[key].format(category=category)), *hint]
    lines = [TEXTS["recent_header"]]
    for n, notice in enumerate(notices, 1):
        lines.append(
            TEXTS["recent_item"].format(n=n, title=notice.title, date=_date(notice), body=notice.body)
        )
    return [Text("\n".join(lines)), *hint]


def _date(notice: Notice) -> str:
    moment = (notice.published_at or notice.publish_at).astimezone(LOCAL_TZ)
    return f"（{moment.month}月{moment.day}日）"


def ledger(ctx: Context) -> list[Reply]:
    """The month's 收支公开 (last month's when asked 「上个月」), or when it will be published."""
    home = home_of(ctx.session, ctx.person)
    building_id = home[0].id if home else None
    month = month_of(ctx.now)
    if LAST_MONTH.search(ctx.text):
        month = previous_month(month)
    summary = summary_text(ctx.session, month=month, building_id=building_id)
    if summary:
        return [Text(summary)]
    earlier = summary_text(ctx.session, month=previous_month(month), building_id=building_id)
    if earlier:
        return [Text(TEXTS["ledger_last"].format(month=_month_label(month))), Text(earlier)]
    return [Text(TEXTS["ledger_none"].format(month=_month_label(month)))]


def _set_mute(ctx: Context, *, muted: bool) -> list[Reply]:
    category = _category(ctx.text)
    if category is None:
        general = muted and re.search(r"所有|全部|一般|任何", ctx.text)
        return [Text(TEXTS["mute_general"] if general else TEXTS["mute_which"])]
    assert category in MUTABLE and ctx.person.id is not None
    if muted:
        changed = mute(ctx.session, person_id=ctx.person.id, category=category, now=ctx.now)
        return [Text(TEXTS["muted" if changed else "already_muted"].format(category=category))]
    changed = unmute(ctx.session, person_id=ctx.person.id, category=category)
    return [Text(TEXTS["unmuted" if changed else "not_muted"].format(category=category))]


def parse_labelled(text: str) -> dict[str, str]:
    """「发布公告 标题：… 内容：… 范围：…」 → {"title": …, "body": …, "audience": …}."""
    found: dict[str, str] = {}
    marks = list(_LABELLED.finditer(text))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        slot = next(name for name, words in LABELS.items() if mark.group(1) in words)
        value = text[mark.end() : end].strip(" \n，,；;")
        if value:
            found[slot] = value
    return found


def audience_from_words(text: str) -> dict[str, Any]:
    """「全体」 → everyone; 「3栋、5栋」 → buildings; 「3栋2单元」 → units."""
    if re.search(r"全体|所有|全部|全小区|大家", text):
        return {"all": True}
    units = re.findall(r"(\d+)\s*(?:栋|号楼|幢)\s*(\d+)\s*单元", text)
    if units:
        return {"units": [f"{b}-{u}" for b, u in units]}
    return {"buildings": re.findall(r"(\d+|[A-Za-z])\s*(?:栋|号楼|幢|座)?", text)}


class AnnouncementForm(Form):
    name = "announcement"
    title = "发布公告"
    intent = "notice"
    required_slots = ("title", "body")
    optional_slots = ("audience",)
    confirm = True
    prompts: ClassVar[dict[str, str]] = {
        "title": TEXTS["ask_title"].format(max=MAX_TITLE),
        "body": TEXTS["ask_body"].format(max=MAX_BODY),
    }

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        found: dict[str, Any] = dict(parse_labelled(ctx.text))
        if not found and asking in ("title", "body") and ctx.text.strip():
            found[asking] = ctx.text.strip()
        return found

    def validate_title(self, ctx: Context, value: str) -> str:
        if len(value) > MAX_TITLE:
            raise Invalid(TEXTS["title_too_long"].format(n=len(value), max=MAX_TITLE))
        return value

    def validate_body(self, ctx: Context, value: str) -> str:
        if len(value) > MAX_BODY:
            raise Invalid(TEXTS["body_too_long"].format(n=len(value), max=MAX_BODY))
        return value

    def validate_audience(self, ctx: Context, value: Any) -> dict[str, Any]:
        raw = value if isinstance(value, dict) else audience_from_words(str(value))
        try:
            return parse_audience(ctx.session, raw).as_json()
        except AudienceError as problem:
            raise Invalid(TEXTS["bad_audience"].format(problem=problem)) from None

    def confirm_text(self, ctx: Context, slots: dict[str, Any]) -> str:
        audience = slots.get("audience") or {"all": True}
        reach = preview(ctx.session, audience=audience)
        return TEXTS["confirm"].format(
            title=slots["title"],
            body=slots["body"],
            audience=parse_audience(ctx.session, audience).label(),
            **reach,
        )

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        notice = create_notice(
            ctx.session,
            title=slots["title"],
            body=slots["body"],
            audience=slots.get("audience") or {"all": True},
            category=_category(slots["title"]) or "通知",
            created_by=f"person:{ctx.person.id}",
            now=ctx.now,
        )
        assert notice.id is not None
        done = publish_notice(ctx.session, notice_id=notice.id, now=ctx.now)
        if done is None:
            return [Text(TEXTS["not_published"])]
        return [Text(TEXTS["published"].format(groups=done.groups, residents=done.residents))]


announcement_form = router.form(AnnouncementForm())


@router.command(r"(?s)\s*发布(公告|通知)([\s:：，,].*)?")
def start_announcement(ctx: Context) -> list[Reply]:
    if ctx.person.role != Role.admin:
        return [Text(TEXTS["admins_only"])]
    return start_form(ctx, announcement_form, parse_labelled(ctx.text))
