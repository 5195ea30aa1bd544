"""What a reporter says about their own open incident after the alarm: no new alarm.

The policy (``bot.policy``) sends here words that name no hazard while the sender's confirmed
incident is open. Being safe (「好的我们下楼了」「我已经开窗出来了，在楼下等」) is acknowledged
with reassurance and the duty phone; anything else (「我把门反锁了」) is added to
the incident and told to everyone alerted. A place told goes to the incident as a place.
"""

from __future__ import annotations

import re

from bot.context import Context
from bot.policy import FOLLOW_UP
from bot.replies import Reply, Text
from bot.router import Router
from handlers.emergency import _PRECISE, GUIDANCE, _phone, _place_words, _status, _tell_place
from handlers.emergency import TEXTS as EMERGENCY_TEXTS
from handlers.fallback import fallback
from models.emergencies import add_words
from models.incident_matching import latest_own

router = Router("incident_update")

TEXTS = {
    "safe": (
        "好的，人安全就好。请在安全的地方等着，不要再回去；处置人员会尽快联系您（紧急求助 {code}）。"
        "情况有变请马上告诉我，或拨打值班电话 {phone}。"
    ),
    "thanks": (
        "不客气，辛苦您了。已把您说的记入紧急求助 {code}，处置人员会跟进到底；"
        "情况有变随时告诉我，或拨打值班电话 {phone}。"
    ),
    "added": "已把您说的记入紧急求助 {code}（{place}）并转告处置人员：{status}。{guidance}\n值班电话：{phone}。",
}
# Out of the danger, or doing what the first guidance said.
_SAFE_NOW = re.compile(
    r"下楼了|下来了|出来了|跑出来|撤出来|撤离了|撤出去|到楼下|在楼下|到外面|在外面|在门外|到门外|在小区"
    r"|安全了|没事了|开窗|开了窗|关了(总)?阀|关掉了|在等|等着|等你们|走出来|出去了"
)
_THANKS = re.compile(r"谢谢|感谢|多谢|谢了|谢啦|谢咧|辛苦")
# Words that say someone is still in danger, whatever else is said.
_STILL_IN_DANGER = re.compile(
    r"还在(里面|屋|家|楼上)|困|出不来|没出来|下不来|找不到|不见了|受伤|流血|晕|昏|喘不|越来越|更大|没人来|还没来"
)


@router.intent(FOLLOW_UP)
def on_incident_update(ctx: Context) -> list[Reply]:
    replies = _told(ctx)
    if not ctx.person.phone and ctx.state.paused.get("form") == "emergency_details":
        replies.append(Text(EMERGENCY_TEXTS["ask_phone"]))  # the number is still wanted
    return replies


def _told(ctx: Context) -> list[Reply]:
    ticket = latest_own(ctx.session, reporter=ctx.person, now=ctx.now)
    if ticket is None or ticket.id is None:
        return fallback(ctx)
    if any(ctx.slots.get(slot) for slot in ("building", *_PRECISE)):
        return _tell_place(ctx, ticket.id, _place_words(ctx.text))
    text = ctx.text.strip()
    if _SAFE_NOW.search(text) and not _STILL_IN_DANGER.search(text):
        add_words(ctx.session, ticket=ticket, words=text, push="", now=ctx.now)
        return [Text(TEXTS["safe"].format(code=ticket.code, phone=_phone(ctx)))]
    add_words(ctx.session, ticket=ticket, words=text, push=EMERGENCY_TEXTS["push_said"], now=ctx.now)
    if _THANKS.search(text) and not _STILL_IN_DANGER.search(text):
        return [Text(TEXTS["thanks"].format(code=ticket.code, phone=_phone(ctx)))]
    facts = {"code": ticket.code, "place": ticket.place or "位置未说明", "status": _status(ctx, ticket)}
    guidance = GUIDANCE.get(ticket.spot, GUIDANCE["help"])
    return [Text(TEXTS["added"].format(**facts, guidance=guidance, phone=_phone(ctx)))]
