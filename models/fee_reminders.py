"""欠费提醒: a polite note to a flat whose fees are overdue, at most once per ``reminder_days``.

A flat is reminded when a charge has been due for ``grace_days`` and is not settled. Its verified
residents who can be reached get one push each, in daytime only; the reminder is remembered per
flat and day (``fee_reminder``, unique), so a second run the same day, or any run within
``reminder_days``, sends nothing. A flat nobody can be reached in is not remembered: the office's
list shows it (``flats_owing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from pydantic import Field as Setting
from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import LOCAL_TZ, utc_field
from models.community import Community, default_community
from models.fanout import push_once
from models.fees import FeeCharge, local_day, owed_rows, statement
from models.ledger import month_label, yuan
from models.people import Person, pushable
from models.residency import Residency, ResidencyStatus

TEXTS = {
    "reminder": "您好！温馨提醒：{label}{items}，合计 {total} 还未缴清。方便时请到物业服务中心缴纳{hotline}。"
    "如已缴纳请忽略；家里有困难可以和我们说，社区可以帮忙申请减免。回复「物业费」可查看明细。",
    "item": "{period}{item} {owed}",
    "hotline": "，或致电 {hotline} 咨询",
}


class FeeRules(BaseModel):
    """``[fees]`` in the config: when an overdue flat is reminded."""

    reminder_days: int = Setting(default=30, ge=1)  # at most one reminder per flat in this many days
    grace_days: int = Setting(default=15, ge=0)  # a charge due this many days before it is reminded
    earliest_hour: int = Setting(default=9, ge=0, le=23)  # local time: no reminder before this hour
    latest_hour: int = Setting(default=20, ge=1, le=24)  # … nor from this hour on


class FeeReminder(SQLModel, table=True):
    """One flat reminded on one day: the record that keeps reminders rare."""

    __tablename__ = "fee_reminder"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("room_id", "sent_on"),)
    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(foreign_key="room.id", index=True)
    sent_on: date
    owed_fen: int
    people: int
    created_at: datetime = utc_field()


@dataclass(frozen=True)
class FlatOwing:
    room_id: int
    owed_fen: int


def flats_owing(session: Session, *, rules: FeeRules, now: datetime) -> list[FlatOwing]:
    """Flats with a charge due ``grace_days`` ago or earlier and not settled, by room."""
    cutoff = local_day(now) - timedelta(days=rules.grace_days)
    late = select(FeeCharge.room_id).where(col(FeeCharge.due_on) <= cutoff).distinct()
    room_ids = sorted(session.exec(late).all())
    owing: dict[int, int] = {}
    for owed in owed_rows(session, room_ids=room_ids):
        if owed.charge.due_on <= cutoff and owed.outstanding > 0:
            owing[owed.charge.room_id] = owing.get(owed.charge.room_id, 0) + owed.outstanding
    return [FlatOwing(room_id, fen) for room_id, fen in sorted(owing.items())]


def _residents(session: Session, room_id: int) -> list[Person]:
    query = (
        select(Person)
        .join(Residency, col(Residency.person_id) == Person.id)
        .where(
            Residency.room_id == room_id,
            Residency.status == ResidencyStatus.verified,
            col(Person.room_id) == room_id,
        )
        .order_by(col(Person.id))
    )
    return [p for p in session.exec(query).unique() if pushable(p)]


def _last_reminded(session: Session, room_id: int) -> date | None:
    query = select(func.max(FeeReminder.sent_on)).where(FeeReminder.room_id == room_id)
    return session.exec(query).one()


def reminder_text(session: Session, *, room_id: int, now: datetime, community: Community | None) -> str:
    owing = statement(session, room_id=room_id, now=now)
    items = "、".join(
        TEXTS["item"].format(
            period=month_label(o.charge.period), item=o.charge.item, owed=yuan(o.outstanding)
        )
        for o in owing.owing[:6]
    )
    hotline = TEXTS["hotline"].format(hotline=community.hotline) if community and community.hotline else ""
    return TEXTS["reminder"].format(
        label=owing.label + "的", items=items, total=yuan(owing.total_owed), hotline=hotline
    )


def remind_overdue(session: Session, *, rules: FeeRules, now: datetime) -> int:
    """One polite reminder per overdue flat, unless it had one within ``reminder_days``; the number
    of flats reminded now. Outside daytime (local) nothing is sent."""
    hour = now.astimezone(LOCAL_TZ).hour
    if not rules.earliest_hour <= hour < rules.latest_hour:
        return 0
    today = local_day(now)
    community = default_community(session)
    reminded = 0
    for flat in flats_owing(session, rules=rules, now=now):
        last = _last_reminded(session, flat.room_id)
        if last is not None and (today - last).days < rules.reminder_days:
            continue
        people = _residents(session, flat.room_id)
        if not people:
            continue
        text = reminder_text(session, room_id=flat.room_id, now=now, community=community)
        for person in people:
            key = f"fees:{flat.room_id}:{today.isoformat()}:{person.id}"
            push_once(session, idempotency_key=key, person_id=person.id, kind="fee", text=text, now=now)
        session.add(
            FeeReminder(
                room_id=flat.room_id,
                sent_on=today,
                owed_fen=flat.owed_fen,
                people=len(people),
                created_at=now,
            )
        )
        session.flush()
        reminded += 1
    return reminded
