"""What nobody else handles: unclear messages, media without a form, services not open yet."""

from __future__ import annotations

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.binding import address_to_bind, ask_to_bind
from handlers.consult import confident_answer

router = Router("fallback")

TEXTS = {
    "unknown": (
        "抱歉，我没太明白。您可以这样说：\n"
        "「5栋1单元301卫生间漏水」「物业费怎么交」「最近有什么志愿活动」\n"
        "也可以回复「转人工」联系工作人员。"
    ),
    "ambiguous": "您是想{options}？请说得具体一点，或回复「转人工」。",
    "media": "收到了。如果是报修，请先用一句话说说哪里出了问题，例如「3栋2单元502厨房水管漏水」。",
    "voice": "抱歉，这条语音没有识别出文字，请再说一遍或打字告诉我。",
}

SERVICES = {
    "consult": "政策咨询",
}


# How a clarifying question names services that are open (their own routers handle them).
CHOICES = {**SERVICES, "repair": "报修", "dispute": "纠纷调解或投诉", "progress": "查询办理进度"}


def fallback(ctx: Context) -> list[Reply]:
    nlu = ctx.nlu
    if nlu is None:
        return [Text(TEXTS["media"])]
    address = address_to_bind(ctx)
    if address is not None:  # 「我住3栋2单元502」 from someone not yet bound: that is a binding
        return ask_to_bind(ctx, address)
    candidates = [name for name, _ in getattr(nlu, "candidates", ())[:2] if name in CHOICES]
    if getattr(nlu, "ambiguous", False) and candidates:
        options = "还是".join(CHOICES[name] for name in candidates)
        return [Text(TEXTS["ambiguous"].format(options=options))]
    # A situation the classifier cannot place (「外墙渗水物业说要等维修资金投票」) may still be one
    # the knowledge base is sure of: answer it with its rule rather than say 「没太明白」.
    return confident_answer(ctx) or [Text(TEXTS["unknown"])]


@router.kind("video", "link")  # images: handlers/worker.py (photos for tickets)
def on_media(ctx: Context) -> list[Reply]:
    return [Text(TEXTS["media"])]


@router.kind("voice")
def on_unrecognised_voice(ctx: Context) -> list[Reply]:
    return [Text(TEXTS["voice"])]


@router.kind("unknown")
def on_unknown_kind(ctx: Context) -> list[Reply]:
    return []  # WeChat gets "success"
