"""三级议事 for the office: raise a topic, record each tier's meeting (send it up, or decide and
list the 整改清单), follow the items (overdue ones marked) and close them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import Field
from sqlmodel import Session

from bot.api.deps import NowDep, OfficeActor, ReadSessionDep, SessionDep
from bot.api.limits import Input, Key, RowId
from models import deliberation, topics
from models.access import audit
from models.base import by_id
from models.people import Person, person_by_openid
from models.topics import (
    STATUS_NAMES,
    TIER_NAMES,
    DeliberationError,
    PlannedItem,
    RectificationItem,
    Tier,
    Topic,
    TopicStatus,
)

router = APIRouter(tags=["deliberation"])

Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 1, 1))]


class TopicCreate(Input):
    title: Annotated[str, Field(min_length=1, max_length=200)]


class ItemPlan(Input):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    owner_id: RowId | None = Field(default=None, description="the owner's person id, or give owner_openid")
    owner_openid: Key | None = None
    due_on: Day


def _owner_id(session: Session, plan: ItemPlan) -> int:
    """The person id an item's owner is given by (id or openid); 422 when neither names one."""
    if plan.owner_id is not None:
        return plan.owner_id
    person = person_by_openid(session, plan.owner_openid) if plan.owner_openid else None
    if person is None or person.id is None:
        detail = (
            f"没有这位负责人：{plan.owner_openid}。"
            if plan.owner_openid
            else "请给出负责人 owner_id 或 owner_openid。"
        )
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)
    return person.id


class MeetingCreate(Input):
    tier: Tier = Field(description="the topic's current tier: online | property | community")
    held_on: Day
    participants: Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=100)] = Field(
        default_factory=list
    )
    minutes: Annotated[str, Field(max_length=5000)] = ""
    decision: Annotated[str, Field(min_length=1, max_length=1000)]
    outcome: Literal["escalate", "decide"]
    items: Annotated[list[ItemPlan], Field(max_length=50)] = Field(default_factory=list)


class ItemClose(Input):
    note: Annotated[str, Field(max_length=500)] = ""


def _item_public(session: Session, item: RectificationItem, now: datetime) -> dict[str, object]:
    owner = session.get(Person, item.owner_id)
    return {
        "id": item.id,
        "code": item.code,
        "topic_id": item.topic_id,
        "text": item.text,
        "owner_id": item.owner_id,
        "owner_name": owner.name if owner else "",
        "due_on": item.due_on.isoformat(),
        "status": item.status.value,
        "overdue": item.overdue(now),
        "note": item.note,
        "done_at": item.done_at.isoformat() if item.done_at else None,
    }


def _topic_public(
    session: Session, topic: Topic, now: datetime, *, detail: bool = False
) -> dict[str, object]:
    body: dict[str, object] = {
        "id": topic.id,
        "code": topic.code,
        "title": topic.title,
        "tier": topic.tier.value,
        "tier_name": TIER_NAMES[topic.tier],
        "status": topic.status.value,
        "status_name": STATUS_NAMES[topic.status],
        "raisers": len(topics.raisers(session, topic)),
        "created_at": topic.created_at.isoformat(),
    }
    if detail:
        body["meetings"] = [
            {
                "id": m.id,
                "tier": m.tier.value,
                "tier_name": TIER_NAMES[m.tier],
                "held_on": m.held_on.isoformat(),
                "participants": m.participants,
                "minutes": m.minutes,
                "decision": m.decision,
                "escalated": m.escalated,
            }
            for m in topics.meetings_of(session, topic)
        ]
        body["items"] = [_item_public(session, i, now) for i in topics.items_of(session, topic=topic)]
    return body


def _topic_or_404(session: Session, topic_id: int) -> Topic:
    topic = by_id(session, Topic, topic_id)
    if topic is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"没有议题 Y{topic_id}。")
    return topic


@router.post("/topics", status_code=status.HTTP_201_CREATED)
def create_topic(
    body: TopicCreate, session: SessionDep, actor: OfficeActor, now: NowDep
) -> dict[str, object]:
    """A topic raised by the office, at 网上议事 (residents second it in chat: 「附议 Y3」)."""
    with session.begin():
        try:
            topic = deliberation.raise_topic(session, title=body.title, by=actor.label or actor.name, now=now)
        except DeliberationError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
        audit(session, actor=actor, action="topic.create", now=now, target=f"topic:{topic.id}")
        return _topic_public(session, topic, now)


@router.get("/topics")
def list_topics(
    session: ReadSessionDep,
    _office: OfficeActor,
    now: NowDep,
    status_: Annotated[TopicStatus | None, Query(alias="status")] = None,
) -> dict[str, object]:
    items = [_topic_public(session, t, now) for t in topics.listing(session, status=status_)]
    return {"items": items, "total": len(items)}


@router.get("/topics/{topic_id}")
def get_topic(
    topic_id: RowId, session: ReadSessionDep, _office: OfficeActor, now: NowDep
) -> dict[str, object]:
    """The topic with its meeting records (tier by tier) and its 整改清单."""
    return _topic_public(session, _topic_or_404(session, topic_id), now, detail=True)


@router.post("/topics/{topic_id}/meetings", status_code=status.HTTP_201_CREATED)
def record_meeting(
    topic_id: RowId, body: MeetingCreate, session: SessionDep, actor: OfficeActor, now: NowDep
) -> dict[str, object]:
    """The current tier's meeting: ``escalate`` sends the topic up a tier; ``decide`` lists the
    整改清单 (``items``, each pushed to its owner). The raisers are told either way. 409 when the
    topic is not at ``tier`` (already moved on, or decided), 422 for a bad item list or owner."""
    with session.begin():
        topic = _topic_or_404(session, topic_id)
        try:
            meeting = deliberation.record_meeting(
                session,
                topic=topic,
                tier=body.tier,
                held_on=body.held_on,
                participants=body.participants,
                minutes=body.minutes,
                decision=body.decision,
                escalate=body.outcome == "escalate",
                items=[PlannedItem(i.text, _owner_id(session, i), i.due_on) for i in body.items],
                by=actor.label or actor.name,
                now=now,
            )
        except DeliberationError as exc:
            code = (
                status.HTTP_409_CONFLICT
                if exc.reason == "wrong_tier"
                else status.HTTP_422_UNPROCESSABLE_CONTENT
            )
            raise HTTPException(code, detail=str(exc)) from exc
        audit(session, actor=actor, action=f"topic.{body.outcome}", now=now, target=f"topic:{topic_id}")
        return {"meeting_id": meeting.id, "topic": _topic_public(session, topic, now, detail=True)}


@router.get("/rectifications")
def list_items(
    session: ReadSessionDep,
    _office: OfficeActor,
    now: NowDep,
    open_only: bool = False,
    overdue: bool = False,
) -> dict[str, object]:
    """整改清单 across topics, soonest due first; ``overdue=true``: open items past their due date."""
    found = topics.items_of(session, open_only=open_only or overdue)
    items = [_item_public(session, i, now) for i in found if not overdue or i.overdue(now)]
    return {"items": items, "total": len(items)}


@router.post("/rectifications/{item_id}/done")
def close_item(
    item_id: RowId, body: ItemClose, session: SessionDep, actor: OfficeActor, now: NowDep
) -> dict[str, object]:
    """Closed by the office (the owner closes theirs in chat: 「整改完成 Z5」); the raisers are told.
    409 when it was already closed."""
    with session.begin():
        item = by_id(session, RectificationItem, item_id)
        if item is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"没有整改事项 Z{item_id}。")
        if not deliberation.close_item(
            session, item=item, note=body.note, by=actor.label or actor.name, now=now
        ):
            raise HTTPException(status.HTTP_409_CONFLICT, detail=f"{item.code} 已经办结了。")
        audit(session, actor=actor, action="rectification.done", now=now, target=f"rectification:{item_id}")
        return _item_public(session, item, now)
