"""What nobody else handles: unclear messages, media without a form, services not open yet."""

from __future__ import annotations

import re

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.binding import address_to_bind, ask_to_bind
from handlers.consult import confident_answer
from models.people import Role

router = Router("fallback")

TEXTS = {
    "unknown": (
        "抱歉，我没太明白。您可以这样说：\n"
        "「5栋1单元301卫生间漏水」「物业费怎么交」「最近有什么志愿活动」\n"
        "也可以回复「转人工」联系工作人员。"
    ),
    "unknown_worker": ("抱歉，我没太明白。您可以这样说：\n{examples}\n也可以回复「转人工」联系工作人员。"),
    "upset": "您好像遇到不顺心的事了？发生什么事了，跟我说说，我来帮您想办法。着急的事也可以回复「转人工」。",
    "signs_only": "您好，有什么需要请直接说，例如「楼道灯坏了」「最近有什么志愿活动」；找工作人员回复「转人工」。",
    "yes_alone": "好的。现在没有等您确认的事，有需要请直接告诉我。",
    "ambiguous": "您是想{options}？请说得具体一点，或回复「转人工」。",
    "media": "收到了。如果是报修，请先用一句话说说哪里出了问题，例如「3栋2单元502厨房水管漏水」。",
    "voice": "抱歉，这条语音没有识别出文字，请再说一遍或打字告诉我。",
}

# What a staff member can say, by role (a resident's examples mean nothing to a plumber).
WORKER_EXAMPLES = {
    Role.staff: "「我的任务」「接单 R1001」「完成 R1001 已换好水管」",
    Role.building_head: "「我的任务」「待核实」「核实 B12 通过」",
    Role.grid_worker: "「待派单」「派单 R1009 王师傅」「超期工单」",
    Role.secretary: "「超期工单」「本月三率」「待派单」",
    Role.admin: "「待核实」「超期工单」「本月三率」",
}
# Angry, crying or despairing faces (「😡😡😡」): someone upset is asked what happened, not greeted.
_UPSET = re.compile("[😠😡🤬💢😤😭😢😞😩😫😖😣💔]")
_SIGNS_ONLY = re.compile(r"[\W_]*")  # 「?」「😀」「。。。」: no word at all
_YES_ALONE = re.compile(r"(是|是的|对|对的|嗯|嗯嗯|好|好的|行|可以|确认|确定|没问题)[\s!。！.~]*")

SERVICES = {
    "consult": "政策咨询",
}


# How a clarifying question names services that are open (their own routers handle them).
CHOICES = {**SERVICES, "repair": "报修", "dispute": "纠纷调解或投诉", "progress": "查询办理进度"}


def fallback(ctx: Context) -> list[Reply]:
    nlu = ctx.nlu
    if nlu is None:
        return [Text(TEXTS["media"])]
    text = ctx.text.strip()
    if _SIGNS_ONLY.fullmatch(text):
        return [Text(TEXTS["upset" if _UPSET.search(text) else "signs_only"])]
    if _YES_ALONE.fullmatch(re.sub(r"\s+", "", text)):  # 「是 的」 with nothing waiting for it
        return [Text(TEXTS["yes_alone"])]
    address = address_to_bind(ctx)
    if address is not None:  # 「我住3栋2单元502」 from someone not yet bound: that is a binding
        return ask_to_bind(ctx, address)
    candidates = [name for name, _ in getattr(nlu, "candidates", ())[:2] if name in CHOICES]
    if getattr(nlu, "ambiguous", False) and candidates:
        options = "还是".join(CHOICES[name] for name in candidates)
        return [Text(TEXTS["ambiguous"].format(options=options))]
    # A situation the classifier cannot place (「外墙渗水物业说要等维修资金投票」) may still be one
    # the knowledge base is sure of: answer it with its rule rather than say 「没太明白」.
    examples = WORKER_EXAMPLES.get(ctx.person.role)
    unknown = TEXTS["unknown_worker"].format(examples=examples) if examples else TEXTS["unknown"]
    return confident_answer(ctx) or [Text(unknown)]


@router.kind("video", "link")  # images: handlers/worker.py (photos for tickets)
def on_media(ctx: Context) -> list[Reply]:
    return [Text(TEXTS["media"])]


@router.kind("voice")
def on_unrecognised_voice(ctx: Context) -> list[Reply]:
    return [Text(TEXTS["voice"])]


@router.kind("unknown")
def on_unknown_kind(ctx: Context) -> list[Reply]:
    return []  # WeChat gets "success"
