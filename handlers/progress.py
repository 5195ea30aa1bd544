"""The reporter's side of a ticket: 我的报修, 催单, 取消 R1024, ratings, 「解决了」 / 「没修好」.

The bot's pending question (「请打分」 after completion, 「问题解决了吗？」 days later) lives on
the ticket itself (resolved, unrated, unanswered), not in a form: a form expires after
``form_timeout_minutes`` while the answer may come days later. The replies below are
understood whenever such a ticket exists.
"""

from __future__ import annotations

import re

from sqlmodel import select

from bot.context import Context
from bot.policy import is_question
from bot.replies import Reply, Text
from bot.router import Router
from handlers.dispute import answer_in_words
from handlers.repair import on_repair
from handlers.ticket_cancel import offers_cancel
from models.base import LOCAL_TZ
from models.dispatch import KIND_LABEL
from models.feedback import (
    all_awaiting_feedback,
    awaiting_feedback,
    cancel,
    confirm_fixed,
    rate,
    reopen,
    urge,
)
from models.people import Person
from models.ticket_actions import typed_words
from models.ticket_story import steps
from models.tickets import (
    OPEN,
    STATUS_LABEL,
    Rating,
    Ticket,
    TicketKind,
    by_code,
    clip,
    local_time,
    tickets_of,
)

router = Router("progress")

TEXTS = {
    "not_reported": "没找到您报过这件事，我先帮您报修。",
    "none": "您还没有报修或反映过问题。需要报修请直接说，例如「3栋2单元502厨房水管漏水」。",
    "list_head": "您最近的事项：",
    "found": "您问的是这一件：",
    "steps_head": "办理经过：",
    "step": "{when} {who} {what}",
    "line": "· {code} {kind}｜{place}｜{what}｜{status}{handler}{due}",
    "handler": "｜{name}负责",
    "due": "｜预计 {due} 前",
    "no_such": "没有找到 {code}，请核对单号（在「我的报修」里可以看到）。",
    "not_yours": "{code} 不是您报的单，无法操作。",
    "no_open": "您目前没有进行中的报修。",
    "urged": "已催促处理人员尽快处理 {code}，请耐心等待。",
    "urge_which": "您有几件事还在办，催哪一件？请回复「催单 + 单号」，例如「催单 R1001」：",
    "cooldown": "{code} 刚催过，处理人员已经收到，请 {hours} 小时后再催。",
    "cancelled": "已取消 {code}。",
    "cannot_cancel": "{code} 当前状态是「{status}」，不能取消了；如有问题请回复「转人工」。",
    "rated": "谢谢您的评价！{code} 已结单。",
    "already_rated": "{code} 已经评价过了，谢谢您！",
    "nothing_to_rate": "目前没有需要评价的事项。",
    "fixed": "太好了，谢谢您的反馈！{ask}",
    "ask_rating": "方便的话请为 {code} 打个分：回复 1-5 分，例如「5」。",
    "reopened": "抱歉还没解决好，{code} 已重新打开并通知处理人员，会尽快再来处理。",
    "cannot_reopen": "{code} 当前状态是「{status}」，还在处理中，可以回复「催单」催一下。",
    "nothing_to_reopen": "没有找到最近完成的报修。需要重新报修请直接说明问题。",
}

_CODE = r"\s*([RDCErdce]\s*\d{4,})?"
_RATING_PATTERN = (
    r"(?:评价\s*)?([RDCErdce]\d{4,})?\s*([1-5])\s*分?(?!\s*(?:栋|号|幢|单元|楼|层|室|座))"
    r"(?:[\s,，、]+([1-5])\s*分?)?(?:[\s,，、]+([1-5])\s*分?)?(?:[\s,，。！!]+(.{0,60}))?[。！!]?"
)
_RATING = re.compile(_RATING_PATTERN)


def _ticket(ctx: Context, text: str) -> tuple[Ticket | None, str | None]:
    """The ticket named in ``text`` (must be the person's own), or their latest open one; else an error reply."""
    match = re.search(r"[RDCErdce]\s*\d{4,}", text)
    if match:
        ticket = by_code(ctx.session, match.group(0))
        code = match.group(0).upper().replace(" ", "")
        if ticket is None:
            return None, TEXTS["no_such"].format(code=code)
        if ticket.reporter_id != ctx.person.id:
            return None, TEXTS["not_yours"].format(code=code)
        return ticket, None
    for ticket in tickets_of(ctx.session, reporter_id=ctx.person.id, limit=20):  # type: ignore[arg-type]
        if ticket.status in OPEN:
            return ticket, None
    return None, TEXTS["no_open"]


@router.command(r"(我的报修|我的工单|查进度|报修进度|查询进度|进度查询|我的投诉|我的事项)[？?。]?")
def my_tickets(ctx: Context) -> list[Reply]:
    return _list(ctx)


@router.intent("progress")
def on_progress(ctx: Context) -> list[Reply]:
    text = ctx.text
    if re.search(r"没修好|没解决|还没好|又坏|又漏|还是(不行|坏|漏)|没有修好", text):
        return not_fixed(ctx)
    if re.search(r"催", text):
        return urge_ticket(ctx)
    if (score := free_rating(text)) is not None:
        code = re.search(r"[RDCErdce]\s*\d{4,}", text)
        return _rate(ctx, code.group(0) if code else None, (score, score, score), text[:60])
    if re.search(r"[RDCErdce]\s*\d{4,}", text):
        named, problem = _ticket(ctx, text)
        if named is not None and named.status in OPEN and (offer := offers_cancel(ctx, named)) is not None:
            return offer  # 「R1028不用来了 我自己修好了」: cancel it?
        return _one(ctx, named) if named is not None else [Text(problem or TEXTS["no_open"])]
    meant = _meant(ctx)
    if meant is None and ctx.slots.get("category") and not is_question(text):
        # 「上次楼道着火把三楼的灯烧坏了，到现在还没换」: never reported, so reported now
        return [Text(TEXTS["not_reported"]), *on_repair(ctx)]
    return _one(ctx, meant) if meant is not None else _list(ctx)


_ADDRESSISH = re.compile(r"[\d\s栋单元号楼室层座的了]")


def _words(text: str) -> set[str]:
    """Two-character pieces of what was said, leaving out addresses and particles."""
    return {text[i : i + 2] for i in range(len(text) - 1) if not _ADDRESSISH.search(text[i : i + 2])}


_DAYS_AGO = {"今天": 0, "今早": 0, "上午": 0, "昨天": 1, "昨晚": 1, "前天": 2, "大前天": 3}
_WEEK_AGO = re.compile(r"上周|上礼拜|上星期|前几天|几天前")


def _meant(ctx: Context) -> Ticket | None:
    """The earlier ticket a progress question points at by place, category, words or day, if any."""
    text, slots = ctx.text, ctx.slots
    today = ctx.now.astimezone(LOCAL_TZ).date()
    best, best_score = None, 0
    for ticket in tickets_of(ctx.session, reporter_id=ctx.person.id, limit=20):  # type: ignore[arg-type]
        score = 0
        if slots.get("category") and slots["category"] == ticket.category:
            score += 2
        if slots.get("building") and ticket.place.startswith(slots["building"]):
            score += 2 if not slots.get("room") or slots["room"] in ticket.place else 1
        score += len(_words(text) & _words(ticket.description))
        age = (today - ticket.created_at.astimezone(LOCAL_TZ).date()).days
        if any(word in text and age == days for word, days in _DAYS_AGO.items()) or (
            _WEEK_AGO.search(text) and 2 <= age <= 10
        ):
            score += 2
        if score > best_score:
            best, best_score = ticket, score
    return best if best_score >= 2 else None


STEPS_SHOWN = 5


def _one(ctx: Context, ticket: Ticket) -> list[Reply]:
    """The ticket's line and its latest steps in words: 「11月24日 09:31 网格员刘志强 派单给 王师傅」."""
    lines = [TEXTS["found"], _line(ctx, ticket).removeprefix("· ")]
    recent = steps(ctx.session, ticket.id, viewer_id=ctx.person.id)[-STEPS_SHOWN:]  # type: ignore[arg-type]
    if recent:
        lines.append(TEXTS["steps_head"])
        lines.extend(TEXTS["step"].format(when=s.when, who=s.who, what=s.what) for s in recent)
    return [Text("\n".join(lines))]


def _list(ctx: Context) -> list[Reply]:
    tickets = tickets_of(ctx.session, reporter_id=ctx.person.id)  # type: ignore[arg-type]
    if not tickets:
        return [Text(TEXTS["none"])]
    return [Text("\n".join([TEXTS["list_head"], *(_line(ctx, ticket) for ticket in tickets)]))]


def _line(ctx: Context, ticket: Ticket) -> str:
    """「· R1001 报修｜3栋2单元502｜水电｜处理中｜王师傅负责｜预计 …前」"""
    handler = ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
    return TEXTS["line"].format(
        code=ticket.code,
        kind=KIND_LABEL[ticket.kind],
        place=ticket.place or "—",
        what=ticket.category or clip(ticket.description, 12),
        status=STATUS_LABEL[ticket.status],
        handler=TEXTS["handler"].format(name=handler.name) if handler else "",
        due=TEXTS["due"].format(due=local_time(ticket.due_at)) if ticket.status in OPEN else "",
    )


@router.command(typed_words("urge") + _CODE + r"[。！!]?")
def urge_ticket(ctx: Context) -> list[Reply]:
    if not re.search(r"[RDCErdce]\s*\d{4,}", ctx.text):
        open_ones = [
            t for t in tickets_of(ctx.session, reporter_id=ctx.person.id, limit=20) if t.status in OPEN
        ]  # type: ignore[arg-type]
        meant = _meant(ctx)
        if meant is not None and meant.status in OPEN:
            return _urge(ctx, meant)  # 「门禁那个催一下」: the one named
        if len(open_ones) > 1:  # 「催单」 with several open: which one, not a silent pick
            lines = [TEXTS["urge_which"], *(_line(ctx, t) for t in open_ones)]
            return [Text("\n".join(lines))]
    ticket, problem = _ticket(ctx, ctx.text)
    if ticket is None:
        return [Text(problem or TEXTS["no_open"])]
    return _urge(ctx, ticket)


def _urge(ctx: Context, ticket: Ticket) -> list[Reply]:
    rules = ctx.settings.tickets
    outcome = urge(ctx.session, ticket=ticket, rules=rules, now=ctx.now)
    if outcome.ok:
        return [Text(TEXTS["urged"].format(code=ticket.code))]
    if outcome.reason == "cooldown":
        return [Text(TEXTS["cooldown"].format(code=ticket.code, hours=rules.urge_cooldown_hours))]
    return [Text(TEXTS["cannot_cancel"].format(code=ticket.code, status=STATUS_LABEL[ticket.status]))]


@router.command(typed_words("cancel") + r"\s*([RDCErdce]\s*\d{4,})[。！!]?")
def cancel_ticket(ctx: Context) -> list[Reply]:
    ticket, problem = _ticket(ctx, ctx.text)
    if ticket is None:
        return [Text(problem or TEXTS["no_open"])]
    outcome = cancel(ctx.session, ticket=ticket, actor_id=ctx.person.id, now=ctx.now, note="居民取消")
    if outcome.ok:
        return [Text(TEXTS["cancelled"].format(code=ticket.code))]
    return [Text(TEXTS["cannot_cancel"].format(code=ticket.code, status=STATUS_LABEL[ticket.status]))]


@router.command(_RATING_PATTERN)
def rate_ticket(ctx: Context) -> list[Reply]:
    match = _RATING.fullmatch(ctx.text.strip())
    assert match is not None
    overall = int(match.group(2))
    speed, service = int(match.group(3) or overall), int(match.group(4) or match.group(3) or overall)
    return _rate(ctx, match.group(1), (overall, speed, service), (match.group(5) or "").strip())


# 「给师傅打个五星」「非常满意」「差评」: a rating in the resident's own words (1-5).
_STARS = re.compile(r"([1-5一二三四五])\s*(星|颗星|分)")
_WORDS_SCORE = (
    (re.compile(r"不满意|不太满意"), 2),
    (re.compile(r"差评|很差|太差|非常差|极差"), 1),
    (re.compile(r"好评|五星|非常满意|很满意|特别满意|十分满意|太满意"), 5),
    (re.compile(r"满意"), 4),
    (re.compile(r"还行|一般|凑合|马马虎虎"), 3),
)
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def free_rating(text: str) -> int | None:
    if stars := _STARS.search(text):
        return _CN.get(stars.group(1)) or int(stars.group(1))
    return next((score for pattern, score in _WORDS_SCORE if pattern.search(text)), None)


_REPAIR_WORDS = re.compile(r"修|师傅|换了|装好|通了")
_MEDIATION_WORDS = re.compile(r"调解|化解|邻居|楼上|楼下|对门|隔壁")


def _awaiting(ctx: Context, *, prefer: Ticket | None) -> Ticket | None:
    """What a rating or 「没修好」 without a code is about: the waiting ticket its words point at
    (「门禁」, or 「修得好 师傅」 for a repair rather than a mediation), else the latest."""
    waiting = all_awaiting_feedback(
        ctx.session,
        reporter_id=ctx.person.id,  # type: ignore[arg-type]
        rules=ctx.settings.tickets,
        now=ctx.now,
    )
    if prefer is not None and any(t.id == prefer.id for t in waiting):
        return prefer
    for words, kinds in (
        (_REPAIR_WORDS, (TicketKind.repair,)),
        (_MEDIATION_WORDS, (TicketKind.dispute, TicketKind.complaint)),
    ):
        if words.search(ctx.text):
            fitting = [t for t in waiting if t.kind in kinds]
            if fitting:
                return fitting[0]
    return waiting[0] if waiting else None


def _rate(ctx: Context, code: str | None, scores: tuple[int, int, int], comment: str) -> list[Reply]:
    if code:
        ticket, problem = _ticket(ctx, code)
    else:
        ticket, problem = _awaiting(ctx, prefer=_meant(ctx)), TEXTS["nothing_to_rate"]
    if ticket is None:  # 「还行吧」 may answer 「化解了吗」 instead
        return answer_in_words(ctx) or [Text(problem or TEXTS["nothing_to_rate"])]
    overall, speed, service = scores
    outcome = rate(
        ctx.session,
        ticket=ticket,
        person=ctx.person,
        overall=overall,
        speed=speed,
        service=service,
        comment=comment,
        now=ctx.now,
    )
    if outcome.ok:
        return [Text(TEXTS["rated"].format(code=ticket.code))]
    if outcome.reason == "already_rated":
        return [Text(TEXTS["already_rated"].format(code=ticket.code))]
    return [Text(TEXTS["nothing_to_rate"])]


@router.command(r"(解决了|修好了|已经修好了|已经解决了|好了|已解决|问题解决了)" + _CODE + r"[。！!~]*")
def fixed(ctx: Context) -> list[Reply]:
    ticket = awaiting_feedback(
        ctx.session, reporter_id=ctx.person.id, rules=ctx.settings.tickets, now=ctx.now
    )  # type: ignore[arg-type]
    if ticket is None:
        return [Text(TEXTS["fixed"].format(ask=""))]
    confirm_fixed(ctx.session, ticket=ticket, person=ctx.person, now=ctx.now)
    rated = ctx.session.exec(select(Rating.id).where(Rating.ticket_id == ticket.id)).first()
    ask = "" if rated else TEXTS["ask_rating"].format(code=ticket.code)
    return [Text(TEXTS["fixed"].format(ask=ask))]


@router.command(
    r"(没修好|没有修好|还没修好|没解决|还没解决|没有解决|又坏了|又漏了|还是不行)" + _CODE + r"[，,。！!]?.*"
)
def not_fixed(ctx: Context) -> list[Reply]:
    match = re.search(r"[RDCErdce]\s*\d{4,}", ctx.text)
    if match:
        ticket, problem = _ticket(ctx, match.group(0))
    else:
        meant = _meant(ctx)  # 「门禁那个怎么还没修好」: the 门禁 repair, not the latest finished one
        if meant is not None and meant.status in OPEN:
            return _urge(ctx, meant)
        ticket, problem = _awaiting(ctx, prefer=meant), TEXTS["nothing_to_reopen"]
    if ticket is None:
        return [Text(problem or TEXTS["nothing_to_reopen"])]
    outcome = reopen(
        ctx.session, ticket=ticket, person=ctx.person, note=ctx.text, rules=ctx.settings.tickets, now=ctx.now
    )
    if outcome.ok:
        return [Text(TEXTS["reopened"].format(code=ticket.code))]
    return [Text(TEXTS["cannot_reopen"].format(code=ticket.code, status=STATUS_LABEL[ticket.status]))]
