"""「那个修水管的R1028不用来了 我自己修好了」: a ticket named with words of stopping is offered for
cancelling, and cancelled on a yes (「对 取消吧」); 「不取消」 keeps it."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from bot.context import Context
from bot.forms import Form, says_yes, start_form
from bot.policy import mentions_stopping
from bot.replies import Reply, Text
from bot.router import Router
from models.feedback import cancel
from models.tickets import STATUS_LABEL, Ticket

router = Router("ticket_cancel")

TEXTS = {
    "ask": "要取消 {code}（{what}）吗？回复「是」取消，回复「不取消」继续处理。",
    "cancelled": "已取消 {code}。",
    "kept": "好的，{code} 不取消，继续处理。",
    "cannot": "{code} 当前状态是「{status}」，不能取消了；如有问题请回复「转人工」。",
    "gone": "没有找到 {code}。",
}
# A yes to cancelling may name it: 「对 取消吧」「是的 取消」「嗯 撤了吧」.
_AGREE = re.compile(r"[\s对是的好嗯行,，]*(?:取消|撤销|撤了|不用来了|不要了)?(?:吧|掉|了)*[。!！~]*")
_KEEP = re.compile(
    r"[\s,，]*(?:不取消|不用取消|先不取消|别取消|不要取消|保留|还是来吧|还要修|还是要修)(?:吧|了)?[。!！~]*"
)


class TicketCancelForm(Form):
    name = "ticket_cancel"
    title = "取消单子"
    intent = "progress"
    required_slots = ("ticket", "confirmed")
    prompts: ClassVar[dict[str, str]] = {}

    def extract(self, ctx: Context, asking: str | None) -> dict[str, Any]:
        text = ctx.text.strip()
        if asking != "confirmed":
            return {}
        if _KEEP.fullmatch(text):
            return {"confirmed": "keep"}
        if text and (_AGREE.fullmatch(text) or says_yes(text)):
            return {"confirmed": "yes"}
        return {}

    def prompt(self, ctx: Context, slot: str) -> str:
        ticket = ctx.session.get(Ticket, ctx.state.slots["ticket"])
        code = ticket.code if ticket else ""
        return TEXTS["ask"].format(code=code, what=ticket.description[:20] if ticket else "")

    def submit(self, ctx: Context, slots: dict[str, Any]) -> list[Reply]:
        ticket = ctx.session.get(Ticket, slots["ticket"])
        if ticket is None:
            return [Text(TEXTS["gone"].format(code=""))]
        if slots["confirmed"] == "keep":
            return [Text(TEXTS["kept"].format(code=ticket.code))]
        outcome = cancel(ctx.session, ticket=ticket, actor_id=ctx.person.id, now=ctx.now, note="居民取消")
        if outcome.ok:
            return [Text(TEXTS["cancelled"].format(code=ticket.code))]
        return [Text(TEXTS["cannot"].format(code=ticket.code, status=STATUS_LABEL[ticket.status]))]


CANCEL_FORM = router.form(TicketCancelForm())


def offers_cancel(ctx: Context, ticket: Ticket) -> list[Reply] | None:
    """The question whether to cancel ``ticket`` when the words stop it, else None."""
    if not mentions_stopping(ctx.text):
        return None
    return start_form(ctx, CANCEL_FORM, {"ticket": ticket.id})
