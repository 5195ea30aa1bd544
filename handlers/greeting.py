"""Greetings, help and the welcome on subscribe; unsubscribe is recorded."""

from __future__ import annotations

import re

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.binding import ask_to_bind
from handlers.common import community_name, home, hotline
from handlers.dispute import answer_in_words
from handlers.spot_report import scanned_spot_report
from models.people import Role

router = Router("greeting")

TEXTS = {
    "welcome": "您好，欢迎关注{community}红管家！",
    "welcome_back": "{salutation}，欢迎回来！您绑定的房屋是 {home}。",
    "menu": (
        "我可以帮您：\n"
        "· 报修：直接说「3栋2单元502厨房水管漏水」\n"
        "· 邻里纠纷、投诉建议\n"
        "· 志愿活动报名、积分查询、爱心屋兑换\n"
        "· 政策咨询：物业费、装修、养犬、垃圾分类等\n"
        "· 通知公告、小区议事投票\n"
        "· 回复「转人工」联系工作人员\n"
        "紧急情况请直接拨打 110 / 119 / 120，物业电话：{hotline}"
    ),
    "bind_first": "为了方便为您服务，请先绑定房屋。",
    "thanks": "不客气，有需要随时找我！",
    "worker": "{salutation}！您在红管家登记为{role}。工单、任务推送会发到这里。",
}

ROLE_NAMES = {
    Role.building_head: "楼栋长",
    Role.grid_worker: "网格员",
    Role.staff: "物业工作人员",
    Role.secretary: "社区书记",
    Role.admin: "管理员",
}

_THANKS = re.compile(r".*(谢谢|感谢|多谢|辛苦了|thank).*", re.I)


def welcome(ctx: Context) -> list[Reply]:
    label = home(ctx)
    facts = {"community": community_name(ctx), "hotline": hotline(ctx)}
    if label:
        greeting = TEXTS["welcome_back"].format(salutation=ctx.person.salutation, home=label)
        return [Text(greeting + "\n" + TEXTS["menu"].format(**facts))]
    replies: list[Reply] = [Text(TEXTS["welcome"].format(**facts) + "\n" + TEXTS["menu"].format(**facts))]
    return [*replies, Text(TEXTS["bind_first"]), *ask_to_bind(ctx, {})]


@router.event("subscribe")
def on_subscribe(ctx: Context) -> list[Reply]:
    ctx.person.subscribed = True
    ctx.session.add(ctx.person)
    report = scanned_spot_report(ctx)  # followed by scanning a spot's code (码上办)
    if report is not None:  # welcomed, and the report comes first: binding can wait
        facts = {"community": community_name(ctx), "hotline": hotline(ctx)}
        return [Text(TEXTS["welcome"].format(**facts)), *report]
    return welcome(ctx)


@router.event("unsubscribe")
def on_unsubscribe(ctx: Context) -> list[Reply]:
    ctx.person.subscribed = False
    ctx.session.add(ctx.person)
    return []


@router.intent("greeting")
def on_greeting(ctx: Context) -> list[Reply]:
    if _THANKS.fullmatch(ctx.text):
        return answer_in_words(ctx) or [Text(TEXTS["thanks"])]  # 「好多了谢谢」 after 「化解了吗」
    if ctx.person.role != Role.resident:
        return [
            Text(TEXTS["worker"].format(salutation=ctx.person.salutation, role=ROLE_NAMES[ctx.person.role]))
        ]
    label = home(ctx)
    facts = {"community": community_name(ctx), "hotline": hotline(ctx)}
    head = TEXTS["welcome_back"].format(salutation=ctx.person.salutation, home=label) if label else "您好！"
    replies: list[Reply] = [Text(head + "\n" + TEXTS["menu"].format(**facts))]
    if not label:
        replies.append(Text("还没有绑定房屋？回复「绑定」即可。"))
    return replies
