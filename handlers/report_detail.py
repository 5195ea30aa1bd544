"""What a resident tells right after filing a report, with nothing new asked: more of the same report.

「我想投诉一下物业维修部。…」 is filed at once; 「就是维修部，接电话的是个小姑娘，师傅姓李」 and
「要求三天内给我修好，还要给个说法」 that follow are added to it (its description and history, and
the one handling it hears), not read as progress questions or new reports.
"""

from __future__ import annotations

from bot.context import Context
from bot.policy import TOLD_MORE
from bot.replies import Reply, Text
from bot.router import Router
from handlers.fallback import fallback
from models.feedback import add_detail, just_filed
from models.tickets import TicketKind

router = Router("report_detail")

TEXTS = {"added": "已补充到{kind} {code}：「{words}」，处理人会看到。还有要说的可以接着说。"}
_KIND = {TicketKind.repair: "报修", TicketKind.dispute: "纠纷调解", TicketKind.complaint: "投诉"}


@router.intent(TOLD_MORE)
def on_report_detail(ctx: Context) -> list[Reply]:
    ticket = just_filed(ctx.session, reporter_id=ctx.person.id, now=ctx.now) if ctx.person.id else None
    if ticket is None:
        return fallback(ctx)
    words = ctx.text.strip()
    add_detail(ctx.session, ticket=ticket, words=words, now=ctx.now)
    shown = words if len(words) <= 30 else words[:29] + "…"
    return [Text(TEXTS["added"].format(kind=_KIND.get(ticket.kind, "事项"), code=ticket.code, words=shown))]
