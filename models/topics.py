"""三级议事's records: the topic (议题 「Y3」) and its tier and status, its raisers (提出 or 附议),
each tier's meeting record, and the 整改清单 items (「Z5」) a decision lists; and the reads over
them. The moves between states are ``models.deliberation``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import LOCAL_TZ, by_id, enum_field, json_field, utc_field
from models.people import Person


class Tier(StrEnum):
    online = "online"  # 网上议事
    property = "property"  # 物业党群议事会
    community = "community"  # 社区党群议事会


TIER_NAMES = {Tier.online: "网上议事", Tier.property: "物业党群议事会", Tier.community: "社区党群议事会"}
NEXT_TIER = {Tier.online: Tier.property, Tier.property: Tier.community}


class TopicStatus(StrEnum):
    discussing = "discussing"  # 议事中
    rectifying = "rectifying"  # 整改中 (decided, items open)
    done = "done"  # 已办结 (every item closed)


STATUS_NAMES = {
    TopicStatus.discussing: "议事中",
    TopicStatus.rectifying: "整改中",
    TopicStatus.done: "已办结",
}


class ItemStatus(StrEnum):
    open = "open"
    done = "done"


MAX_TITLE = 200


class Topic(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=MAX_TITLE)
    tier: Tier = enum_field(Tier, Tier.online, index=True)
    status: TopicStatus = enum_field(TopicStatus, TopicStatus.discussing, index=True)
    raised_by: str = Field(default="", max_length=100)  # 「居民」 or the office actor
    created_at: datetime = utc_field(index=True)
    updated_at: datetime = utc_field()

    @property
    def code(self) -> str:
        return f"Y{self.id}"

    @property
    def stage(self) -> str:
        """「物业党群议事会·议事中」: where it stands, as a resident is told."""
        return f"{TIER_NAMES[self.tier]}·{STATUS_NAMES[self.status]}"


class TopicRaiser(SQLModel, table=True):
    """A resident who raised or seconded (附议) a topic: told when its items are done."""

    __tablename__ = "topic_raiser"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("topic_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    seconded: bool = False
    created_at: datetime = utc_field()


class TopicMeeting(SQLModel, table=True):
    """One tier's meeting on a topic: who met, when, what was said and what they decided."""

    __tablename__ = "topic_meeting"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    tier: Tier = enum_field(Tier, Tier.online)
    held_on: date = Field(sa_type=Date)
    participants: list[str] = json_field(list)
    minutes: str = Field(default="", max_length=5000)
    decision: str = Field(max_length=1000)
    escalated: bool = False  # sent up to the next tier rather than decided here
    recorded_by: str = Field(default="", max_length=100)
    created_at: datetime = utc_field()


class RectificationItem(SQLModel, table=True):
    """One line of a decision's 整改清单 (code 「Z5」): what, who answers for it, by when."""

    __tablename__ = "rectification_item"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    meeting_id: int = Field(foreign_key="topic_meeting.id", index=True)
    text: str = Field(max_length=500)
    owner_id: int = Field(foreign_key="person.id", index=True)
    due_on: date = Field(sa_type=Date, index=True)
    status: ItemStatus = enum_field(ItemStatus, ItemStatus.open, index=True)
    note: str = Field(default="", max_length=500)  # what the owner said when closing it
    closed_by: str = Field(default="", max_length=100)
    created_at: datetime = utc_field()
    done_at: datetime | None = utc_field(nullable=True)

    @property
    def code(self) -> str:
        return f"Z{self.id}"

    def overdue(self, now: datetime) -> bool:
        return self.status == ItemStatus.open and self.due_on < now.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class PlannedItem:
    text: str
    owner_id: int
    due_on: date


class DeliberationError(ValueError):
    """A move the topic's or item's state does not allow; ``reason`` is a short code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


_TOPIC = re.compile(r"[Yy]\s*(\d{1,9})")
_ITEM = re.compile(r"[Zz]\s*(\d{1,9})")


def find_topic(session: Session, code: str) -> Topic | None:
    match = _TOPIC.search(code)
    return by_id(session, Topic, match.group(1)) if match else None


def find_item(session: Session, code: str) -> RectificationItem | None:
    match = _ITEM.search(code)
    return by_id(session, RectificationItem, match.group(1)) if match else None


def raisers(session: Session, topic: Topic) -> list[Person]:
    query = (
        select(Person)
        .join(TopicRaiser, col(TopicRaiser.person_id) == col(Person.id))
        .where(TopicRaiser.topic_id == topic.id)
        .order_by(col(TopicRaiser.id))
    )
    return list(session.exec(query))


def topics_of(session: Session, *, resident: Person, limit: int = 8) -> list[Topic]:
    """The topics this resident raised or seconded, newest first."""
    query = (
        select(Topic)
        .join(TopicRaiser, col(TopicRaiser.topic_id) == col(Topic.id))
        .where(TopicRaiser.person_id == resident.id)
        .order_by(col(Topic.created_at).desc(), col(Topic.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def open_topics(session: Session, *, limit: int = 8) -> list[Topic]:
    query = select(Topic).where(col(Topic.status) == TopicStatus.discussing)
    return list(session.exec(query.order_by(col(Topic.created_at).desc(), col(Topic.id).desc()).limit(limit)))


def listing(session: Session, *, status: TopicStatus | None = None, limit: int = 200) -> list[Topic]:
    query = select(Topic)
    if status is not None:
        query = query.where(col(Topic.status) == status)
    return list(session.exec(query.order_by(col(Topic.created_at).desc(), col(Topic.id).desc()).limit(limit)))


def meetings_of(session: Session, topic: Topic) -> list[TopicMeeting]:
    return list(
        session.exec(
            select(TopicMeeting).where(TopicMeeting.topic_id == topic.id).order_by(col(TopicMeeting.id))
        )
    )


def items_of(
    session: Session, *, topic: Topic | None = None, owner: Person | None = None, open_only: bool = False
) -> list[RectificationItem]:
    query = select(RectificationItem)
    if topic is not None:
        query = query.where(RectificationItem.topic_id == topic.id)
    if owner is not None:
        query = query.where(RectificationItem.owner_id == owner.id)
    if open_only:
        query = query.where(col(RectificationItem.status) == ItemStatus.open)
    return list(
        session.exec(query.order_by(col(RectificationItem.due_on), col(RectificationItem.id)).limit(500))
    )
