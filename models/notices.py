"""Announcements (公告): created by admins, published to building groups and residents on time.

A notice is ``scheduled`` until its ``publish_at``; publishing it is a compare-and-set in the
same transaction as its outbox rows, so it happens exactly once. A recurring notice stays
``scheduled`` and each publication moves ``publish_at`` to the next occurrence (after downtime
it publishes once, not once per missed occurrence). Past ``expires_at`` it is ``expired``.
Residents may mute the categories 停水停电, 活动 and 议事 (never general notices).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint, delete, func, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.audience import (
    Audience,
    audience_from_json,
    building_ids,
    parse_audience,
    resident_ids,
    residents_query,
)
from models.base import LOCAL_TZ, enum_field, json_field, utc_field
from models.care import TEXTS as CARE_TEXTS
from models.care import CareWords, grid_name, reach_first
from models.fanout import Progress, Target, enqueue_many, enqueue_people
from models.operations import finish_operation, start_operation

CATEGORIES = ("通知", "停水停电", "活动", "议事")
MUTABLE = ("停水停电", "活动", "议事")
CARE_FIRST = ("停水停电",)  # outages: the people who need care are reached first (models.care)
MAX_TITLE = 40
MAX_BODY = 600  # a group robot text is at most 2048 bytes (3 per Chinese character)
PAST_GRACE = timedelta(minutes=1)  # clock skew tolerated on publish_at
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RECURRENCE = re.compile(r"daily|weekly:(mon|tue|wed|thu|fri|sat|sun)|monthly:([1-9]|1[0-9]|2[0-8])")


class NoticeStatus(StrEnum):
    scheduled = "scheduled"
    published = "published"
    expired = "expired"
    cancelled = "cancelled"


class Notice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=MAX_TITLE)
    body: str
    category: str = "通知"
    audience: dict[str, Any] = json_field()
    publish_at: datetime = utc_field(index=True)  # next (or only) publication
    expires_at: datetime | None = utc_field(nullable=True)
    recurrence: str = ""  # "" | daily | weekly:mon | monthly:1
    status: NoticeStatus = enum_field(NoticeStatus, NoticeStatus.scheduled, index=True)
    created_by: str = ""
    created_at: datetime = utc_field()
    published_at: datetime | None = utc_field(nullable=True)  # the latest publication
    publications: int = 0


class NoticeMute(SQLModel, table=True):
    __tablename__ = "notice_mute"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("person_id", "category"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    category: str
    created_at: datetime = utc_field()


class NoticeError(ValueError):
    """A notice that cannot be created as given; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Publication:
    notice_id: int
    groups: int
    residents: int
    operation_id: int


def notice_text(notice: Notice) -> str:
    return f"【{notice.title}】\n{notice.body}"


def next_occurrence(rule: str, *, anchor: datetime, after: datetime) -> datetime:
    """The first occurrence of ``rule`` strictly after ``after``, at ``anchor``'s local time of day."""
    local_anchor, local_after = anchor.astimezone(LOCAL_TZ), after.astimezone(LOCAL_TZ)
    at = local_anchor.timetz()

    def on(day: datetime) -> datetime:
        return datetime.combine(day.date(), at.replace(tzinfo=None), tzinfo=LOCAL_TZ)

    if rule == "daily":
        candidate = on(local_after)
        if candidate <= local_after:
            candidate = on(local_after + timedelta(days=1))
    elif rule.startswith("weekly:"):
        weekday = WEEKDAYS.index(rule.split(":", 1)[1])
        days = (weekday - local_after.weekday()) % 7
        candidate = on(local_after + timedelta(days=days))
        if candidate <= local_after:
            candidate = on(local_after + timedelta(days=days + 7))
    else:
        day = int(rule.split(":", 1)[1])
        candidate = on(local_after.replace(day=day))
        if candidate <= local_after:
            year, month = divmod(local_after.month, 12)
            candidate = on(local_after.replace(year=local_after.year + year, month=month + 1, day=day))
    return candidate.astimezone(anchor.tzinfo)


def create_notice(
    session: Session,
    *,
    title: str,
    body: str,
    audience: Any,
    now: datetime,
    category: str = "通知",
    publish_at: datetime | None = None,
    expires_at: datetime | None = None,
    recurrence: str = "",
    created_by: str = "",
) -> Notice:
    """Validate and store a scheduled notice; publication is :func:`publish_due`'s (or the caller's)."""
    title, body = title.strip(), body.strip()
    if not title or len(title) > MAX_TITLE:
        raise NoticeError("title", f"title must be 1 to {MAX_TITLE} characters (got {len(title)})")
    if not body or len(body) > MAX_BODY:
        raise NoticeError("body", f"body must be 1 to {MAX_BODY} characters (got {len(body)})")
    if category not in CATEGORIES:
        raise NoticeError("category", f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    if recurrence and not RECURRENCE.fullmatch(recurrence):
        raise NoticeError("recurrence", "recurrence must be daily, weekly:mon..sun or monthly:1..28")
    try:
        parsed = parse_audience(session, audience)
    except ValueError as exc:
        raise NoticeError("audience", str(exc)) from exc
    for name, moment in (("publish_at", publish_at), ("expires_at", expires_at)):
        if moment is not None and moment.tzinfo is None:
            raise NoticeError(name, f"{name} needs a UTC offset, e.g. 2026-11-23T09:00:00+08:00")
    if publish_at is not None and publish_at < now - PAST_GRACE:
        raise NoticeError("publish_at", "publish_at is in the past; leave it out to publish now")
    publish_at = publish_at or now
    if expires_at is not None and expires_at <= publish_at:
        raise NoticeError("expires_at", "expires_at must be after publish_at")
    notice = Notice(
        title=title,
        body=body,
        category=category,
        audience=parsed.as_json(),
        publish_at=publish_at,
        expires_at=expires_at,
        recurrence=recurrence,
        created_by=created_by,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def preview(session: Session, *, audience: Any, category: str = "通知") -> dict[str, int]:
    """How many group chats and residents a notice to ``audience`` would reach now."""
    parsed = parse_audience(session, audience)
    return {
        "groups": len(building_ids(session, parsed)),
        "residents": len(resident_ids(session, parsed, skip_muted=category if category in MUTABLE else None)),
    }


def publish_notice(
    session: Session, *, notice_id: int, now: datetime, progress: Progress | None = None
) -> Publication | None:
    """Publish a due notice once (compare-and-set); None if it is not due or someone else did it."""
    notice = session.get(Notice, notice_id)
    if notice is None or notice.status != NoticeStatus.scheduled or notice.publish_at > now:
        return None
    if notice.expires_at is not None and notice.expires_at <= now:
        return None
    occurrence = notice.publish_at
    values: dict[str, Any] = {"published_at": now, "publications": col(Notice.publications) + 1}
    if notice.recurrence:
        values["publish_at"] = next_occurrence(notice.recurrence, anchor=occurrence, after=now)
    else:
        values["status"] = NoticeStatus.published
    result = session.execute(
        update(Notice)
        .where(
            col(Notice.id) == notice_id,
            col(Notice.status) == NoticeStatus.scheduled,
            col(Notice.publish_at) == occurrence,
        )
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.refresh(notice)
    audience = audience_from_json(notice.audience)
    stem = f"notice:{notice_id}:{occurrence.strftime('%Y%m%dT%H%M%SZ')}"
    groups = [Target(f"{stem}:building:{b}", building_id=b) for b in building_ids(session, audience)]
    muted = notice.category if notice.category in MUTABLE else None
    people = residents_query(audience, skip_muted=muted)
    residents = int(session.execute(select(func.count()).select_from(people.subquery())).scalar_one())
    total = len(groups) + residents
    operation = start_operation(
        session, kind="notice-publish", now=now, total=total, detail={"notice_id": notice_id}
    )
    payload = {"notice_id": notice_id, "category": notice.category}
    text = notice_text(notice)
    if progress:
        progress(0, total)
    if notice.category in CARE_FIRST:
        _reach_care_first(session, audience, stem=stem, notice=notice, text=text, now=now)
    enqueue_many(session, groups, kind="notice", text=text, now=now, payload=payload)
    # The residents' pushes in one INSERT … SELECT: a notice to 100,000 is one statement.
    enqueue_people(
        session, people, key_prefix=f"{stem}:person:", kind="notice", text=text, now=now, payload=payload
    )
    if progress:
        progress(total, total)
    assert operation.id is not None
    finish_operation(session, operation_id=operation.id, ok=True, now=now)
    return Publication(notice_id, len(groups), residents, operation.id)


def _reach_care_first(
    session: Session, audience: Audience, *, stem: str, notice: Notice, text: str, now: datetime
) -> None:
    """The people on the care register this notice reaches, and their contacts, before anyone
    else; their building's head gets a task to check on them. The person's own push carries the
    key of their resident push, so the fan-out below does not send it twice."""
    words = CareWords(
        person=text,
        contact=CARE_TEXTS["notice_contact"],
        task=CARE_TEXTS["notice_task"],
        person_key=f"{stem}:person:",
        extra=(("notice", text), ("title", notice.title)),
    )
    reach_first(
        session,
        building_ids=None,
        key=stem,
        kind="notice",
        words=words,
        now=now,
        only=lambda b, r: audience.reaches(building=b.number, unit=r.unit, grid=grid_name(session, b)),
    )


def due_notice_ids(session: Session, *, now: datetime) -> list[int]:
    query = (
        select(Notice.id)
        .where(col(Notice.status) == NoticeStatus.scheduled, col(Notice.publish_at) <= now)
        .order_by(col(Notice.publish_at), col(Notice.id))
    )
    return [i for i in session.exec(query).all() if i is not None]


def publish_due(session: Session, *, now: datetime, progress: Progress | None = None) -> int:
    """Publish every notice whose time has come (recurring ones once each); return how many."""
    return sum(
        publish_notice(session, notice_id=i, now=now, progress=progress) is not None
        for i in due_notice_ids(session, now=now)
    )


def expire_due(session: Session, *, now: datetime) -> int:
    """Scheduled or published notices past their expiry become expired; return how many."""
    result = session.execute(
        update(Notice)
        .where(
            col(Notice.status).in_([NoticeStatus.scheduled, NoticeStatus.published]),
            col(Notice.expires_at).is_not(None),
            col(Notice.expires_at) <= now,
        )
        .values(status=NoticeStatus.expired)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def cancel_notice(session: Session, *, notice_id: int) -> Notice:
    """Withdraw a notice not yet (or, if recurring, no longer to be) published."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise LookupError(f"notice {notice_id} not found")
    result = session.execute(
        update(Notice)
        .where(col(Notice.id) == notice_id, col(Notice.status) == NoticeStatus.scheduled)
        .values(status=NoticeStatus.cancelled)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ValueError(f"notice {notice_id} is {notice.status}; only scheduled notices can be cancelled")
    session.refresh(notice)
    return notice


def current_notices(
    session: Session,
    *,
    building: str | None,
    unit: str | None,
    grid: str | None,
    now: datetime,
    category: str | None = None,
    limit: int = 5,
) -> list[Notice]:
    """Published, unexpired notices that reach this home, newest first."""
    query = (
        select(Notice)
        .where(
            col(Notice.status).in_([NoticeStatus.scheduled, NoticeStatus.published]),
            col(Notice.published_at).is_not(None),
        )
        .order_by(col(Notice.published_at).desc(), col(Notice.id).desc())
        .limit(200)
    )
    if category:
        query = query.where(col(Notice.category) == category)
    found: list[Notice] = []
    for notice in session.exec(query):
        if notice.expires_at is not None and notice.expires_at <= now:
            continue
        if audience_from_json(notice.audience).reaches(building=building, unit=unit, grid=grid):
            found.append(notice)
        if len(found) == limit:
            break
    return found


def muted_categories(session: Session, *, person_id: int) -> list[str]:
    query = select(NoticeMute.category).where(NoticeMute.person_id == person_id).order_by(col(NoticeMute.id))
    return list(session.exec(query).all())


def mute(session: Session, *, person_id: int, category: str, now: datetime) -> bool:
    """Stop pushing ``category`` to this person; False if it was already muted."""
    if category not in MUTABLE:
        raise ValueError(f"{category} cannot be muted")
    if category in muted_categories(session, person_id=person_id):
        return False
    session.add(NoticeMute(person_id=person_id, category=category, created_at=now))
    session.flush()
    return True


def unmute(session: Session, *, person_id: int, category: str) -> bool:
    """Push ``category`` again; False if it was not muted."""
    result = session.execute(
        delete(NoticeMute).where(col(NoticeMute.person_id) == person_id, col(NoticeMute.category) == category)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


__all__ = ["Audience", "Notice", "NoticeMute", "NoticeStatus"]
