"""三级议事 in chat: a resident raises a topic (「我想提个建议：…」「提议…」), neighbours second it
(「附议 Y3」), anyone asks how theirs stands (「我提的建议怎么样了」); the owner of a 整改清单 item
lists theirs (「我的整改」) and closes one (「整改完成 Z5 已装好」). Recognised by these words,
not by the classifier; the meetings and decisions are the office's (``bot.api.deliberation``)."""

from __future__ import annotations

import re

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from models import deliberation, topics
from models.topics import DeliberationError, ItemStatus, Topic

router = Router("deliberation")

TEXTS = {
    "ask": "请把建议直接说出来，比如「我想提个建议：小区门口加装减速带」。",
    "raised": "您的建议 {code} 收到了：{title}\n先在网上议事，邻居回复「附议 {code}」就能一起提。有进展会告诉您，也可以问「我提的建议怎么样了」。",
    "joined": "已经有邻居提过同样的建议 {code}：{title}\n已记下您的附议，有进展会一起告诉您。",
    "seconded": "已记下您对 {code}「{title}」的附议，有进展会告诉您。",
    "already": "您已经附议过 {code}「{title}」了，有进展会告诉您。",
    "not_found": "没有找到议题 {code}，请核对编号。",
    "item_not_found": "没有找到整改事项 {code}，请核对编号。",
    "none_open": "现在没有正在议事的建议。想提建议，说「我想提个建议：……」就行。",
    "which": "正在议事的建议：\n{items}\n回复「附议 + 编号」，例如「附议 {code}」。",
    "item": "{code}：{title}",
    "mine": "您提的建议：\n{items}",
    "mine_item": "{code}「{title}」：{stage}{extra}",
    "mine_items": "，整改 {done}/{total} 项已完成",
    "mine_none": "您还没有提过建议。想提建议，说「我想提个建议：……」就行。",
    "tasks": "您负责的整改事项：\n{items}\n办好后回复「整改完成 + 编号」。",
    "task": "{code}：{text}（{due}前{late}）",
    "late": "，已逾期",
    "no_tasks": "您现在没有待完成的整改事项。",
    "which_task": "您负责的整改事项有几项，请说是哪一项：\n{items}\n例如「整改完成 {code}」。",
    "closed": "好的，{code} 已办结，已告诉提建议的居民。谢谢您！",
    "closed_already": "{code} 已经办结过了。",
}

# A proposal to vote on (「提议更换电梯 大家一起表决」「我想提议… 怎么发起」) is the vote handler's.
_RAISE = re.compile(
    r"(?s)(?!.*(投票|表决|发起|议题))\s*(我|俺)?(想|要)?((提|有)(个|一个|一条|条)(小)?建议|提议|建议[：:])(是|一下)?[\s:：，,。]*(?P<title>.{0,200})",
)
_TOPIC_CODE = r"\s*[Yy]\s*\d{1,9}"
_ITEM_CODE = r"\s*[Zz]\s*\d{1,9}"


@router.command(_RAISE.pattern, explicit=True)
def on_raise(ctx: Context) -> list[Reply]:
    match = _RAISE.fullmatch(ctx.text.strip())
    title = match.group("title").strip(" ，,。：:") if match else ""
    if len(title) < 4:
        return [Text(TEXTS["ask"])]
    before = {t.id for t in topics.open_topics(ctx.session, limit=500)}
    topic = deliberation.raise_topic(ctx.session, title=title, resident=ctx.person, now=ctx.now)
    key = "joined" if topic.id in before else "raised"
    return [Text(TEXTS[key].format(code=topic.code, title=topic.title))]


@router.command(r"\s*(我)?(也)?附议(一下)?(" + _TOPIC_CODE + r")?[\s。!！]*", explicit=True)
def on_second(ctx: Context) -> list[Reply]:
    named = re.search(r"[Yy]\s*\d+", ctx.text)
    if named is None:
        discussing = topics.open_topics(ctx.session)
        if not discussing:
            return [Text(TEXTS["none_open"])]
        items = "\n".join(TEXTS["item"].format(code=t.code, title=t.title[:30]) for t in discussing)
        return [Text(TEXTS["which"].format(items=items, code=discussing[0].code))]
    topic = topics.find_topic(ctx.session, named.group(0))
    if topic is None:
        return [Text(TEXTS["not_found"].format(code=named.group(0).upper().replace(" ", "")))]
    try:
        fresh = deliberation.second(ctx.session, topic=topic, resident=ctx.person, now=ctx.now)
    except DeliberationError as exc:
        return [Text(str(exc))]
    return [Text(TEXTS["seconded" if fresh else "already"].format(code=topic.code, title=topic.title))]


@router.command(
    r"\s*((我|俺)(提|提出|附议)的(建议|议题|意见)|我的(建议|议题))"
    r"(怎么样了?|咋样了?|到哪了|到哪一步了|有进展吗|有结果吗|进展如何|进展|呢)?[\s?？。!！]*",
    explicit=True,
)
def on_mine(ctx: Context) -> list[Reply]:
    raised = topics.topics_of(ctx.session, resident=ctx.person) if ctx.person.id is not None else []
    if not raised:
        return [Text(TEXTS["mine_none"])]
    return [Text(TEXTS["mine"].format(items="\n".join(_stage(ctx, t) for t in raised)))]


def _stage(ctx: Context, topic: Topic) -> str:
    items = topics.items_of(ctx.session, topic=topic)
    extra = ""
    if items:
        done = sum(1 for i in items if i.status == ItemStatus.done)
        extra = TEXTS["mine_items"].format(done=done, total=len(items))
    return TEXTS["mine_item"].format(code=topic.code, title=topic.title[:30], stage=topic.stage, extra=extra)


@router.command(r"\s*我的整改(任务|事项|清单)?[\s?？。]*", explicit=True)
def on_tasks(ctx: Context) -> list[Reply]:
    items = topics.items_of(ctx.session, owner=ctx.person, open_only=True) if ctx.person.id else []
    if not items:
        return [Text(TEXTS["no_tasks"])]
    return [Text(TEXTS["tasks"].format(items=_task_lines(ctx, items)))]


def _task_lines(ctx: Context, items: list[topics.RectificationItem]) -> str:
    return "\n".join(
        TEXTS["task"].format(
            code=i.code,
            text=i.text[:40],
            due=f"{i.due_on.month}月{i.due_on.day}日",
            late=TEXTS["late"] if i.overdue(ctx.now) else "",
        )
        for i in items[:8]
    )


@router.command(r"\s*整改(已经)?完成(了)?(" + _ITEM_CODE + r")?([\s，,：:。].{0,200})?", explicit=True)
def on_close(ctx: Context) -> list[Reply]:
    named = re.search(r"[Zz]\s*\d+", ctx.text)
    note = re.sub(r"^\s*整改(已经)?完成(了)?(" + _ITEM_CODE + r")?[\s，,：:。]*", "", ctx.text).strip()
    if named is None:
        mine = topics.items_of(ctx.session, owner=ctx.person, open_only=True) if ctx.person.id else []
        if len(mine) != 1:
            if not mine:
                return [Text(TEXTS["no_tasks"])]
            return [Text(TEXTS["which_task"].format(items=_task_lines(ctx, mine), code=mine[0].code))]
        item = mine[0]
    else:
        found = topics.find_item(ctx.session, named.group(0))
        if found is None:
            return [Text(TEXTS["item_not_found"].format(code=named.group(0).upper()))]
        item = found
    try:
        closed = deliberation.close_item(ctx.session, item=item, owner=ctx.person, note=note, now=ctx.now)
    except DeliberationError as exc:
        return [Text(str(exc))]
    return [Text(TEXTS["closed" if closed else "closed_already"].format(code=item.code))]
