"""「转人工」: the person asks for a human; the building head (or grid worker) is told to call back."""

from __future__ import annotations

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import hotline
from models.duty import responders
from models.outbox import enqueue
from models.people import Role, describe

router = Router("handoff")

TEXTS = {
    "reply": "好的，已请{who}尽快联系您。您也可以直接拨打物业电话 {hotline}。",
    "reply_nobody": "好的，请直接拨打物业电话 {hotline}，工作人员会为您处理。",
    "push": "{who}请求人工联系，原话：「{text}」",
}


@router.intent("handoff")
def on_handoff(ctx: Context) -> list[Reply]:
    people = responders(ctx.session, person=ctx.person, roles=(Role.building_head, Role.grid_worker))
    if not people:
        people = responders(ctx.session, person=ctx.person, roles=(Role.staff,))[:1]
    if not people:
        return [Text(TEXTS["reply_nobody"].format(hotline=hotline(ctx)))]
    target = people[0]
    enqueue(
        ctx.session,
        idempotency_key=f"handoff:{ctx.message.dedupe_key}:{target.id}",
        person_id=target.id,
        kind="handoff",
        text=TEXTS["push"].format(who=describe(ctx.session, ctx.person), text=ctx.text),
        now=ctx.now,
    )
    who = {Role.building_head: "楼栋长", Role.grid_worker: "网格员"}.get(target.role, "物业工作人员")
    return [Text(TEXTS["reply"].format(who=f"{who}{target.name}", hotline=hotline(ctx)))]
