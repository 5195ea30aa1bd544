"""三级议事 (「网上议事—物业党群议事—社区党群议事」) and its 整改清单.

A topic (议题, code 「Y3」) is raised online, by a resident in chat or by the office; residents who
raise or second (附议) it are its raisers. Each tier meets on it and leaves a meeting record (date,
participants, minutes, decision); a tier either sends it up (网上议事 → 物业党群议事会 →
社区党群议事会) or decides, and a decision lists 整改清单 items, each with an owner and a due date.
The owner (or the office) closes an item; the raisers are told what was done, through the outbox in
the same transaction. Every move is a compare-and-set on the topic's (tier, status) or the item's
status, so two clerks recording the same meeting at once leave one record.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.fanout import push_once
from models.people import Person, Role, home_label, pushable
from models.topics import (
    MAX_TITLE,
    NEXT_TIER,
    TIER_NAMES,
    DeliberationError,
    ItemStatus,
    PlannedItem,
    RectificationItem,
    Tier,
    Topic,
    TopicMeeting,
    TopicRaiser,
    TopicStatus,
    raisers,
)

TEXTS = {
    "to_office": "【网上议事】新建议 {code}：{title}（{who}提出）\n请在后台安排议事，记录会议和决定。",
    "escalated": "您提的建议 {code}「{title}」已提交{tier}继续商议。上一级的意见：{decision}",
    "decided": "您提的建议 {code}「{title}」，{tier}已经有了决定：{decision}\n整改清单：\n{items}",
    "item_line": "· {text}（{owner}，{due}前）",
    "assigned": "【整改任务】{icode}：{text}\n来自议题 {code}「{title}」，请在 {due} 前完成。办好后回复「整改完成 {icode}」。",
    "closed": "您提的建议 {code}「{title}」有进展：{text}，已经办好了{note}（负责人：{owner}）。谢谢您的建议！",
    "all_closed": "\n这个议题的整改清单已全部完成。",
}


def _same(text: str) -> str:
    return re.sub(r"[\s，,。.!！?？：:、]", "", text)


def raise_topic(
    session: Session, *, title: str, now: datetime, resident: Person | None = None, by: str = ""
) -> Topic:
    """A new topic at 网上议事; a resident who raises it is its first raiser. The same words as a
    topic still under discussion second that one instead of opening another."""
    title = title.strip()[:MAX_TITLE]
    if not title:
        raise DeliberationError("empty", "议题内容不能为空。")
    if resident is not None:
        for open_topic in session.exec(select(Topic).where(col(Topic.status) == TopicStatus.discussing)):
            if _same(open_topic.title) == _same(title):
                second(session, topic=open_topic, resident=resident, now=now)
                return open_topic
    topic = Topic(
        title=title, raised_by=by or ("居民" if resident else "社区"), created_at=now, updated_at=now
    )
    session.add(topic)
    session.flush()
    if resident is not None:
        session.add(TopicRaiser(topic_id=topic.id, person_id=resident.id, created_at=now))  # type: ignore[arg-type]
        session.flush()
        who = home_label(session, resident) or "居民"
        text = TEXTS["to_office"].format(
            code=topic.code, title=topic.title, who=f"{who}{resident.name or ''}"
        )
        office = session.exec(
            select(Person.id).where(col(Person.role) == Role.secretary, col(Person.erased_at).is_(None))
        )
        for person_id in office:
            push_once(
                session,
                idempotency_key=f"topic:{topic.id}:raised:{person_id}",
                person_id=person_id,
                kind="topic",
                text=text,
                now=now,
            )
    return topic


def second(session: Session, *, topic: Topic, resident: Person, now: datetime) -> bool:
    """附议: ``resident`` joins the topic's raisers; False if they already were one."""
    if topic.status == TopicStatus.done:
        raise DeliberationError("done", f"{topic.code} 已经办结了。")
    exists = session.exec(
        select(TopicRaiser.id).where(TopicRaiser.topic_id == topic.id, TopicRaiser.person_id == resident.id)
    ).first()
    if exists is not None:
        return False
    session.add(TopicRaiser(topic_id=topic.id, person_id=resident.id, seconded=True, created_at=now))  # type: ignore[arg-type]
    session.flush()
    return True


def _tell_raisers(session: Session, topic: Topic, key: str, text: str, now: datetime) -> None:
    for person in raisers(session, topic):
        if pushable(person):
            push_once(
                session,
                idempotency_key=f"{key}:{person.id}",
                person_id=person.id,
                kind="topic",
                text=text,
                now=now,
            )


def _move(session: Session, topic: Topic, expected: tuple[Tier, TopicStatus], **values: Any) -> bool:
    session.flush()
    won = session.execute(
        update(Topic)
        .where(col(Topic.id) == topic.id, col(Topic.tier) == expected[0], col(Topic.status) == expected[1])
        .values(**values)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(topic)
    return won == 1


def record_meeting(
    session: Session,
    *,
    topic: Topic,
    tier: Tier,
    held_on: date,
    participants: list[str],
    minutes: str,
    decision: str,
    escalate: bool,
    items: list[PlannedItem],
    by: str,
    now: datetime,
) -> TopicMeeting:
    """The meeting of ``tier`` (the topic's current one): it sends the topic up, or decides and
    lists the 整改清单. The raisers are told either way; each item's owner gets their task."""
    if topic.status != TopicStatus.discussing or topic.tier != tier:
        raise DeliberationError(
            "wrong_tier", f"{topic.code} 现在在{topic.stage}，不能记录{TIER_NAMES[tier]}的会议。"
        )
    if escalate and tier not in NEXT_TIER:
        raise DeliberationError("top_tier", f"{TIER_NAMES[tier]}是最后一级，请作出决定。")
    if escalate and items:
        raise DeliberationError("items_on_escalate", "提交上一级时不列整改清单，由作出决定的一级列。")
    if not escalate and not items:
        raise DeliberationError("no_items", "作出决定时请至少列一项整改清单。")
    owners = {i.owner_id: session.get(Person, i.owner_id) for i in items}
    if missing := sorted(pid for pid, person in owners.items() if person is None or person.erased_at):
        raise DeliberationError("no_owner", f"没有这位负责人：{missing[0]}。")
    values = (
        {"tier": NEXT_TIER[tier], "updated_at": now}
        if escalate
        else {"status": TopicStatus.rectifying, "updated_at": now}
    )
    if not _move(session, topic, (tier, TopicStatus.discussing), **values):
        raise DeliberationError("wrong_tier", f"{topic.code} 刚刚被别人处理过了，现在在{topic.stage}。")
    meeting = TopicMeeting(
        topic_id=topic.id,  # type: ignore[arg-type]
        tier=tier,
        held_on=held_on,
        participants=[p.strip()[:50] for p in participants if p.strip()][:100],
        minutes=minutes.strip()[:5000],
        decision=decision.strip()[:1000],
        escalated=escalate,
        recorded_by=by[:100],
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    if escalate:
        text = TEXTS["escalated"].format(
            code=topic.code, title=topic.title, tier=TIER_NAMES[topic.tier], decision=meeting.decision
        )
        _tell_raisers(session, topic, f"topic:{topic.id}:up:{tier}", text, now)
        return meeting
    made = []
    for planned in items:
        item = RectificationItem(
            topic_id=topic.id,  # type: ignore[arg-type]
            meeting_id=meeting.id,  # type: ignore[arg-type]
            text=planned.text.strip()[:500],
            owner_id=planned.owner_id,
            due_on=planned.due_on,
            created_at=now,
        )
        session.add(item)
        session.flush()
        made.append(item)
        owner = owners[planned.owner_id]
        if pushable(owner):
            task = TEXTS["assigned"].format(
                icode=item.code, text=item.text, code=topic.code, title=topic.title, due=_day(item.due_on)
            )
            push_once(
                session,
                idempotency_key=f"rectification:{item.id}:assigned",
                person_id=item.owner_id,
                kind="topic",
                text=task,
                now=now,
            )
    lines = "\n".join(
        TEXTS["item_line"].format(text=i.text, owner=_name(owners[i.owner_id]), due=_day(i.due_on))
        for i in made
    )
    text = TEXTS["decided"].format(
        code=topic.code, title=topic.title, tier=TIER_NAMES[tier], decision=meeting.decision, items=lines
    )
    _tell_raisers(session, topic, f"topic:{topic.id}:decided", text, now)
    return meeting


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _name(person: Person | None) -> str:
    return (person.name if person else "") or "负责人"


def close_item(
    session: Session,
    *,
    item: RectificationItem,
    note: str,
    now: datetime,
    owner: Person | None = None,
    by: str = "",
) -> bool:
    """整改完成: the item is done (by its ``owner``, or the office when ``owner`` is None); the topic's
    raisers are told what was done, and the topic is 已办结 when its last item closes. False if
    the item was already closed."""
    if owner is not None and owner.id != item.owner_id:
        raise DeliberationError("not_owner", f"{item.code} 不是您负责的整改事项。")
    note = note.strip()[:500]
    session.flush()
    won = session.execute(
        update(RectificationItem)
        .where(col(RectificationItem.id) == item.id, col(RectificationItem.status) == ItemStatus.open)
        .values(status=ItemStatus.done, note=note, done_at=now, closed_by=(by or _name(owner))[:100])
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(item)
    if won != 1:
        return False
    topic = session.get(Topic, item.topic_id)
    assert topic is not None
    left = session.exec(
        select(RectificationItem.id).where(
            RectificationItem.topic_id == topic.id, col(RectificationItem.status) == ItemStatus.open
        )
    ).first()
    if left is None:
        _move(session, topic, (topic.tier, TopicStatus.rectifying), status=TopicStatus.done, updated_at=now)
    said = f"：{note.rstrip('。')}" if note else ""
    text = TEXTS["closed"].format(
        code=topic.code,
        title=topic.title,
        text=item.text.rstrip("。"),
        note=said,
        owner=_name(session.get(Person, item.owner_id)),
    )
    if left is None:
        text += TEXTS["all_closed"]
    _tell_raisers(session, topic, f"rectification:{item.id}:closed", text, now)
    return True
