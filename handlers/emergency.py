"""Emergencies: say at once what to do and whom to call, alert the people on duty, log an E ticket."""

from __future__ import annotations

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.binding import only_an_address
from handlers.common import hotline
from handlers.fallback import fallback
from models.dispatch import open_ticket
from models.duty import responders
from models.outbox import enqueue
from models.people import Role, describe, home_label, home_of
from models.tickets import TicketKind

router = Router("emergency")

TEXTS = {
    "reply": (
        "请先保证自身安全！\n"
        "· 有人受伤或病危：马上拨打 120\n"
        "· 着火冒烟：马上拨打 119，用湿毛巾捂住口鼻，走楼梯不要乘电梯\n"
        "· 闻到燃气味：关阀门、开窗，不要开关电器，也不要在屋内打电话\n"
        "· 遇到暴力或人员走失：马上拨打 110\n"
        "物业24小时电话：{hotline}。{notified}"
    ),
    "notified": "我们已通知{names}马上联系您。",
    "not_notified": "请同时拨打物业电话，我们会尽快安排人员。",
    "push": "【紧急】{who}报告：「{text}」请立即联系处置！接手请回复「接单 {code}」。",
    "logged": "（已登记紧急求助单 {code}，我们会跟进到底。）",
}


@router.intent("emergency")
def on_emergency(ctx: Context) -> list[Reply]:
    if only_an_address(ctx) is not None:
        # 「我住3栋502」: no word of danger, only the classifier's guess; binding or a question.
        return fallback(ctx)
    people = responders(
        ctx.session,
        person=ctx.person,
        roles=(Role.building_head, Role.grid_worker, Role.staff, Role.secretary),
    )
    home = home_of(ctx.session, ctx.person)
    ticket = open_ticket(
        ctx.session,
        rules=ctx.settings.tickets,
        kind=TicketKind.emergency,
        reporter=ctx.person,
        now=ctx.now,
        category="紧急",
        building_id=home[0].id if home else None,
        room_id=home[1].id if home else None,
        place=home_label(ctx.session, ctx.person),
        description=ctx.text[:500],
    )
    alert = TEXTS["push"].format(who=describe(ctx.session, ctx.person), text=ctx.text, code=ticket.code)
    for person in people:
        enqueue(
            ctx.session,
            idempotency_key=f"emergency:{ctx.message.dedupe_key}:{person.id}",
            person_id=person.id,
            kind="emergency",
            text=alert,
            now=ctx.now,
        )
    names = "、".join(p.name for p in people[:3] if p.name)
    notified = TEXTS["notified"].format(names=names) if names else TEXTS["not_notified"]
    phone = ctx.settings.tickets.duty_phone or hotline(ctx)
    reply = TEXTS["reply"].format(hotline=phone, notified=notified)
    return [Text(reply + TEXTS["logged"].format(code=ticket.code))]
