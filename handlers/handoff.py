"""「转人工」: the person asks for a human; the building head (or grid worker) is told to call back."""

from __future__ import annotations

from bot.context import Context
from bot.policy import HANDOFF_CONTACT, WITHDRAW_HANDOFF
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import hotline
from models.duty import responders
from models.outbox import enqueue, handoff_just_asked, handoff_request_key
from models.people import Person, Role, describe

router = Router("handoff")

TEXTS = {
    "reply": "好的，已请{who}尽快联系您。您也可以直接拨打物业电话 {hotline}。",
    "reply_nobody": "好的，请直接拨打物业电话 {hotline}，工作人员会为您处理。",
    "push": "{who}请求人工联系，原话：「{text}」",
    "withdrawn": "好的，已告诉{who}不用联系您了。",
    "withdrawn_push": "{who}刚才请求的人工联系已撤回（原话：「{text}」），不用再联系了。",
    "contact": "好的，已把您的电话 {phone} 转给{who}，会打这个号码联系您。",
    "contact_push": "{who}留了回电号码：{phone}（原话：「{text}」）",
}


@router.intent(HANDOFF_CONTACT)
def on_contact(ctx: Context) -> list[Reply]:
    """A phone number right after 「转人工」: whoever was asked to call back gets the number."""
    phone = ctx.slots["phone"]
    names = _tell_those_asked(ctx, "handoff-contact", TEXTS["contact_push"], phone=phone)
    return [Text(TEXTS["contact"].format(who=names, phone=phone))]


@router.intent(WITHDRAW_HANDOFF)
def on_withdrawal(ctx: Context) -> list[Reply]:
    """The hand-off just asked for is withdrawn: whoever was told to call back is told not to."""
    names = _tell_those_asked(ctx, "handoff-withdrawn", TEXTS["withdrawn_push"])
    return [Text(TEXTS["withdrawn"].format(who=names))]


def _tell_those_asked(ctx: Context, key: str, push_text: str, **said: str) -> str:
    """Push ``push_text`` to whoever the sender's previous message asked to call back; their names."""
    asked = handoff_just_asked(ctx.session, user_id=ctx.message.user_id, dedupe_key=ctx.message.dedupe_key)
    who = describe(ctx.session, ctx.person)
    for push in asked:
        enqueue(
            ctx.session,
            idempotency_key=f"{key}:{ctx.message.dedupe_key}:{push.person_id}",
            person_id=push.person_id,
            kind="handoff",
            text=push_text.format(who=who, text=ctx.text, **said),
            now=ctx.now,
        )
    return "、".join(sorted({_name(ctx, push.person_id) for push in asked})) or "工作人员"


def _name(ctx: Context, person_id: int | None) -> str:
    person = ctx.session.get(Person, person_id) if person_id is not None else None
    if person is None:
        return "工作人员"
    return {Role.building_head: "楼栋长", Role.grid_worker: "网格员"}.get(
        person.role, "物业工作人员"
    ) + person.name


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
        idempotency_key=handoff_request_key(ctx.message.dedupe_key, target.id),
        person_id=target.id,
        kind="handoff",
        text=TEXTS["push"].format(who=describe(ctx.session, ctx.person), text=ctx.text),
        now=ctx.now,
    )
    who = {Role.building_head: "楼栋长", Role.grid_worker: "网格员"}.get(target.role, "物业工作人员")
    return [Text(TEXTS["reply"].format(who=f"{who}{target.name}", hotline=hotline(ctx)))]
