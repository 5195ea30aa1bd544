"""The notice composer's form: audience, schedule, expiry and recurrence, checked in Chinese.

The audience is what the ticks say, never wider: a building ticked while 「全体居民」 is chosen
(or a grid ticked under 「指定楼栋」) is a question back to the person, not a guess.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.web.common import local
from models.audience import AudienceError, building_ids, parse_audience
from models.base import LOCAL_TZ
from models.community import Building, Room
from models.notices import MAX_BODY, MAX_TITLE, NoticeError

WEEKDAYS = {"mon": "一", "tue": "二", "wed": "三", "thu": "四", "fri": "五", "sat": "六", "sun": "日"}
RECURRENCES: dict[str, str] = {
    "": "不重复",
    "daily": "每天",
    **{f"weekly:{key}": f"每周{name}" for key, name in WEEKDAYS.items()},
    **{f"monthly:{day}": f"每月{day}日" for day in range(1, 29)},
}
SCOPES = {"all": "全体居民", "buildings": "楼栋", "grids": "网格", "units": "单元"}
NOTICE_FIELDS = {
    "title": f"标题需要 1 到 {MAX_TITLE} 个字",
    "body": f"正文需要 1 到 {MAX_BODY} 个字",
    "category": "请从列表里选择类别",
    "recurrence": "请从列表里选择重复方式",
}


@dataclass
class NoticeForm:
    """What the person filled in, kept to show the form again as it was."""

    title: str = ""
    body: str = ""
    category: str = "通知"
    scope: str = "all"
    buildings: list[str] = field(default_factory=list)
    grids: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    publish_at: str = ""
    expires_at: str = ""
    recurrence: str = ""

    def audience(self) -> dict[str, Any]:
        return {"all": True} if self.scope == "all" else {self.scope: list(getattr(self, self.scope, []))}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def when(text: str) -> datetime | None:
    """A ``datetime-local`` value read as Beijing time; empty is None; a bad one raises ValueError."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ) if text.strip() else None


def form_problems(form: NoticeForm) -> dict[str, str]:
    """Field → reason for what can be told before the database is asked."""
    problems: dict[str, str] = {}
    if form.scope not in SCOPES:
        problems["scope"] = "请选择发送对象"
    else:
        ticked = [kind for kind in ("buildings", "grids", "units") if getattr(form, kind)]
        stray = [SCOPES[kind] for kind in ticked if kind != form.scope]
        if stray:
            chosen = "全体居民" if form.scope == "all" else f"指定{SCOPES[form.scope]}"
            problems["scope"] = (
                f"勾选了{'、'.join(stray)}，发送对象却是「{chosen}」：请改选对应的发送对象，或取消勾选"
            )
        elif form.scope != "all" and not ticked:
            problems["scope"] = f"请至少勾选一个{SCOPES[form.scope]}"
    for name, label in (("publish_at", "发布时间"), ("expires_at", "到期时间")):
        try:
            when(getattr(form, name))
        except ValueError:
            problems[name] = f"{label}格式不对"
    if form.recurrence not in RECURRENCES:
        problems["recurrence"] = NOTICE_FIELDS["recurrence"]
    return problems


def notice_problem(exc: NoticeError) -> tuple[str, str]:
    """The field and a Chinese reason for a notice the model refused."""
    if exc.field == "publish_at":
        return "publish_at", "发布时间已经过去；要立即发布请留空"
    if exc.field == "expires_at":
        return "expires_at", "到期时间要晚于发布时间"
    if exc.field == "audience":
        return "scope", "发送对象里有不存在的楼栋、网格或单元，请刷新页面后重选"
    return exc.field, NOTICE_FIELDS.get(exc.field, "填写有误")


def audience_problem(exc: AudienceError) -> str:
    return "发送对象里有不存在的楼栋、网格或单元，请刷新页面后重选"


def unit_choices(session: Session) -> list[tuple[str, str]]:
    """("3-2", "3栋2单元") for every unit that has rooms."""
    rows = session.exec(
        select(Building.number, Room.unit)
        .join(Room, col(Room.building_id) == Building.id)
        .where(col(Room.unit) != "")
        .distinct()
        .order_by(Building.number, Room.unit)
    ).all()
    return [(f"{number}-{unit}", f"{number}栋{unit}单元") for number, unit in rows]


def reach_facts(session: Session, form: NoticeForm, reach: dict[str, int]) -> list[str]:
    """Who a notice reaches, in the words of the confirmation: the audience, the groups, the timing."""
    audience = parse_audience(session, form.audience())
    ids = building_ids(session, audience)
    numbers = session.exec(
        select(Building.number).where(col(Building.id).in_(ids)).order_by(col(Building.id))
    )
    groups = "、".join(f"{n}栋群" for n in numbers)
    facts = [f"发送对象：{audience.label()}"]
    if audience.kind == "units":
        facts.append("楼栋群：不发（单元公告只发给单元里的居民本人）")
    else:
        facts.append(f"楼栋群（{reach['groups']} 个）：{groups or '无'}")
    facts.append(f"居民（{reach['residents']} 位）：已绑定房屋、仍关注公众号且没有退订此类公告的居民")
    start = when(form.publish_at)
    timing = f"{local(start)} 发布" if start else "立即发布"
    if form.recurrence:
        timing += f"，之后{RECURRENCES[form.recurrence]}重复发布"
    if (end := when(form.expires_at)) is not None:
        timing += f"，{local(end)} 到期后不再发布"
    facts.append(f"时间：{timing}")
    return facts
