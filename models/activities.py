"""Volunteer activities (志愿活动): sign-up within capacity, a waitlist, check-in, points once.

Capacity is a counter on the activity taken by ``UPDATE ... SET taken = taken + 1 WHERE
taken < capacity`` (check rowcount), so concurrent sign-ups never exceed it. Someone who
cancels hands their place straight to the first on the waitlist, who is told by a push.
Attendance (by the 签到码 or confirmed by the organiser) credits the points once per person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import UniqueConstraint, func, or_, select, update
from sqlmodel import Field, Session, SQLModel, col

from models.base import enum_field, utc_field
from models.community import Building
from models.outbox import enqueue
from models.people import Person, home_of
from models.points import LOCAL_TZ

CHECKIN_EARLY = timedelta(hours=1)  # the code works from an hour before the start ...
CHECKIN_LATE = timedelta(hours=3)  # ... until three hours after the end
DEFAULT_DURATION = timedelta(hours=2)

TEXTS = {
    "promoted": "好消息！您候补的活动「{title}」有人退出，已为您转为正式报名。时间：{when}，地点：{place}。",
    "organiser": "您组织的活动「{title}」已发布（{when}，{place}），签到码：{code}。活动现场请告诉参加的居民。",
}
WEEKDAYS = "一二三四五六日"


class ActivityStatus(StrEnum):
    open = "open"
    cancelled = "cancelled"


class SignupStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"
    attended = "attended"
    no_show = "no_show"  # signed up, did not come (marked by the organiser)


ACTIVE = (SignupStatus.confirmed, SignupStatus.waitlisted)


class Activity(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    kind: str = ""  # 治安巡逻 环境卫生 助老 义诊 宣讲 ...
    description: str = ""
    starts_at: datetime = utc_field(index=True)
    ends_at: datetime = utc_field()
    place: str = ""
    capacity: int
    taken: int = 0  # confirmed places; never above capacity
    points: int = 0  # per attendance
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    signup_deadline: datetime | None = utc_field(nullable=True)
    organiser_id: int | None = Field(default=None, foreign_key="person.id")
    checkin_code: str = Field(default="", max_length=16)
    status: ActivityStatus = enum_field(ActivityStatus, ActivityStatus.open, index=True)
    created_at: datetime = utc_field()


class Signup(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: SignupStatus = enum_field(SignupStatus, SignupStatus.confirmed, index=True)
    queued_at: datetime = utc_field()  # when they (last) signed up: waitlist order
    updated_at: datetime = utc_field()
    attended_at: datetime | None = utc_field(nullable=True)
    confirmed_by: str = ""  # "code" or who confirmed the attendance


def when_label(moment: datetime) -> str:
    """「11月28日（周六）09:00」 in Beijing time."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def create_activity(
    session: Session,
    *,
    title: str,
    kind: str,
    starts_at: datetime,
    place: str,
    capacity: int,
    points: int,
    now: datetime,
    ends_at: datetime | None = None,
    description: str = "",
    building_id: int | None = None,
    grid_id: int | None = None,
    signup_deadline: datetime | None = None,
    organiser_id: int | None = None,
    checkin_code: str = "",
    tell_organiser: bool = True,
) -> Activity:
    """A new activity; the organiser is told its 签到码 unless it comes from a file import."""
    if not title.strip():
        raise ValueError("an activity needs a title")
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    if points < 0:
        raise ValueError("points cannot be negative")
    ends_at = ends_at or starts_at + DEFAULT_DURATION
    if ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")
    if signup_deadline is not None and signup_deadline > starts_at:
        raise ValueError("signup_deadline must not be after starts_at")
    if checkin_code and not checkin_code.isdigit():
        raise ValueError("checkin_code must be digits")
    activity = Activity(
        title=title.strip(),
        kind=kind.strip(),
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        capacity=capacity,
        points=points,
        building_id=building_id,
        grid_id=grid_id,
        signup_deadline=signup_deadline,
        organiser_id=organiser_id,
        checkin_code=checkin_code or f"{secrets.randbelow(10_000):04d}",
        created_at=now,
    )
    session.add(activity)
    session.flush()
    if organiser_id is not None and tell_organiser:
        enqueue(
            session,
            idempotency_key=f"activity:{activity.id}:organiser",
            person_id=organiser_id,
            kind="volunteer",
            text=TEXTS["organiser"].format(
                title=activity.title,
                when=when_label(starts_at),
                place=activity.place,
                code=activity.checkin_code,
            ),
            now=now,
        )
    return activity


def _scope_filter(session: Session, person: Person) -> object:
    home = home_of(session, person)
    building: Building | None = home[0] if home else None
    building_id = building.id if building else person.building_id
    grid_id = building.grid_id if building else person.grid_id
    return (
        or_(col(Activity.building_id).is_(None), col(Activity.building_id) == building_id),
        or_(col(Activity.grid_id).is_(None), col(Activity.grid_id) == grid_id),
    )


def upcoming(session: Session, *, person: Person, now: datetime, limit: int = 5) -> list[Activity]:
    """Open activities that have not started, in the person's building/grid scope, soonest first."""
    query = (
        select(Activity)
        .where(
            col(Activity.status) == ActivityStatus.open,
            col(Activity.starts_at) > now,
            *_scope_filter(session, person),
        )  # type: ignore[arg-type]
        .order_by(col(Activity.starts_at), col(Activity.id))
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def in_scope(session: Session, *, activity: Activity, person: Person) -> bool:
    query = select(Activity.id).where(col(Activity.id) == activity.id, *_scope_filter(session, person))  # type: ignore[arg-type]
    return session.execute(query).first() is not None


def signup_of(session: Session, *, activity_id: int, person_id: int) -> Signup | None:
    query = select(Signup).where(col(Signup.activity_id) == activity_id, col(Signup.person_id) == person_id)
    return session.execute(query).scalars().first()


def waitlist_position(session: Session, *, signup: Signup) -> int:
    ahead = session.execute(
        select(func.count())
        .select_from(Signup)
        .where(
            col(Signup.activity_id) == signup.activity_id,
            col(Signup.status) == SignupStatus.waitlisted,
            or_(
                col(Signup.queued_at) < signup.queued_at,
                (col(Signup.queued_at) == signup.queued_at) & (col(Signup.id) < signup.id),
            ),
        )
    ).scalar_one()
    return int(ahead) + 1


@dataclass(frozen=True)
class SignupResult:
    outcome: str  # confirmed | waitlisted | already | attended | not_found | closed | started | deadline | out_of_scope
    activity: Activity | None = None
    signup: Signup | None = None
    position: int = 0  # on the waitlist


def _take_place(session: Session, activity_id: int) -> bool:
    result = session.execute(
        update(Activity)
        .where(col(Activity.id) == activity_id, col(Activity.taken) < col(Activity.capacity))
        .values(taken=Activity.taken + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _release_place(session: Session, activity_id: int) -> None:
    session.execute(
        update(Activity)
        .where(col(Activity.id) == activity_id, col(Activity.taken) > 0)
        .values(taken=Activity.taken - 1)
    )


def _queue_time(session: Session, activity_id: int, now: datetime) -> datetime:
    """Join an activity's waitlist: one person at a time (the activity row stays locked until the
    transaction ends; SQLite has one writer anyway), never ahead of anyone already on it. So the
    place computed before committing is the true one: everyone ahead has committed, and whoever
    joins later queues behind."""
    session.execute(select(Activity.id).where(col(Activity.id) == activity_id).with_for_update())
    last = session.execute(
        select(func.max(Signup.queued_at)).where(
            col(Signup.activity_id) == activity_id, col(Signup.status) == SignupStatus.waitlisted
        )
    ).scalar_one()
    return max(now, last) if last is not None else now


def sign_up(session: Session, *, activity_id: int, person: Person, now: datetime) -> SignupResult:
    """A confirmed place if one is free (atomically), otherwise a place on the waitlist."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        return SignupResult("not_found")
    if activity.status != ActivityStatus.open:
        return SignupResult("closed", activity)
    if activity.starts_at <= now:
        return SignupResult("started", activity)
    if activity.signup_deadline is not None and now > activity.signup_deadline:
        return SignupResult("deadline", activity)
    if not in_scope(session, activity=activity, person=person):
        return SignupResult("out_of_scope", activity)
    existing = signup_of(session, activity_id=activity_id, person_id=person.id)  # type: ignore[arg-type]
    if existing is not None and existing.status in ACTIVE:
        position = (
            waitlist_position(session, signup=existing) if existing.status == SignupStatus.waitlisted else 0
        )
        return SignupResult("already", activity, existing, position)
    if existing is not None and existing.status == SignupStatus.attended:
        return SignupResult("attended", activity, existing)
    status = SignupStatus.confirmed if _take_place(session, activity_id) else SignupStatus.waitlisted
    queued_at = _queue_time(session, activity_id, now) if status == SignupStatus.waitlisted else now
    if existing is None:
        signup = Signup(
            activity_id=activity_id,
            person_id=person.id,
            status=status,
            queued_at=queued_at,
            updated_at=now,  # type: ignore[arg-type]
        )
        session.add(signup)
        session.flush()
    else:
        result = session.execute(
            update(Signup)
            .where(col(Signup.id) == existing.id, col(Signup.status) == SignupStatus.cancelled)
            .values(status=status, queued_at=queued_at, updated_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise RuntimeError("sign-up changed under us")  # the per-person lock makes this unreachable
        session.refresh(existing)
        signup = existing
    session.refresh(activity)
    position = waitlist_position(session, signup=signup) if status == SignupStatus.waitlisted else 0
    return SignupResult(status.value, activity, signup, position)


@dataclass(frozen=True)
class CancelResult:
    outcome: str  # cancelled | not_signed_up | started | not_found
    activity: Activity | None = None
    promoted: Person | None = None


def cancel_signup(session: Session, *, activity_id: int, person: Person, now: datetime) -> CancelResult:
    """Cancel; a confirmed place passes to the first on the waitlist (told by a push)."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        return CancelResult("not_found")
    signup = signup_of(session, activity_id=activity_id, person_id=person.id)  # type: ignore[arg-type]
    if signup is None or signup.status not in ACTIVE:
        return CancelResult("not_signed_up", activity)
    if activity.starts_at <= now:
        return CancelResult("started", activity)
    was = signup.status
    result = session.execute(
        update(Signup)
        .where(col(Signup.id) == signup.id, col(Signup.status) == was)
        .values(status=SignupStatus.cancelled, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return CancelResult("not_signed_up", activity)
    promoted = None
    if was == SignupStatus.confirmed:
        promoted = _hand_over_place(session, activity=activity, now=now)
        if promoted is None:
            _release_place(session, activity_id)
    session.refresh(signup)
    return CancelResult("cancelled", activity, promoted)


def _first_waitlisted(session: Session, activity_id: int) -> list[Signup]:
    query = (
        select(Signup)
        .where(col(Signup.activity_id) == activity_id, col(Signup.status) == SignupStatus.waitlisted)
        .order_by(col(Signup.queued_at), col(Signup.id))
    )
    return list(session.execute(query).scalars())


def _hand_over_place(session: Session, *, activity: Activity, now: datetime) -> Person | None:
    """Give a freed confirmed place to the first waitlisted person who is still waiting."""
    for candidate in _first_waitlisted(session, activity.id):  # type: ignore[arg-type]
        result = session.execute(
            update(Signup)
            .where(col(Signup.id) == candidate.id, col(Signup.status) == SignupStatus.waitlisted)
            .values(status=SignupStatus.confirmed, updated_at=now)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            enqueue(
                session,
                idempotency_key=f"activity:{activity.id}:promoted:{candidate.id}:{candidate.queued_at.isoformat()}",
                person_id=candidate.person_id,
                kind="volunteer",
                text=TEXTS["promoted"].format(
                    title=activity.title, when=when_label(activity.starts_at), place=activity.place
                ),
                now=now,
            )
            return session.get(Person, candidate.person_id)
    return None


def fill_from_waitlist(session: Session, *, activity_id: int, now: datetime) -> int:
    """Housekeeping: free places (e.g. after a capacity increase) go to the waitlist in order."""
    activity = session.get(Activity, activity_id)
    if activity is None or activity.status != ActivityStatus.open or activity.starts_at <= now:
        return 0
    promoted = 0
    while _first_waitlisted(session, activity_id) and _take_place(session, activity_id):
        if _hand_over_place(session, activity=activity, now=now) is None:
            _release_place(session, activity_id)
            break
        promoted += 1
    return promoted


def my_signups(session: Session, *, person: Person, now: datetime) -> list[tuple[Activity, Signup]]:
    """Sign-ups for activities that have not ended yet, soonest first."""
    query = (
        select(Activity, Signup)
        .join(Signup, col(Signup.activity_id) == Activity.id)
        .where(
            col(Signup.person_id) == person.id,
            col(Signup.status).in_([*ACTIVE, SignupStatus.attended]),
            col(Activity.ends_at) > now,
            col(Activity.status) == ActivityStatus.open,
        )
        .order_by(col(Activity.starts_at))
    )
    return [(a, s) for a, s in session.execute(query).all()]
