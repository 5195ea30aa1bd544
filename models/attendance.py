"""Attendance (签到): check-in with the organiser's code or the organiser's confirmation; points
are credited exactly once per person and activity; volunteer hours are derived from attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from models.activities import (
    ACTIVE,
    CHECKIN_EARLY,
    CHECKIN_LATE,
    Activity,
    ActivityStatus,
    Signup,
    SignupStatus,
)
from models.people import Person
from models.points import PointSource, credit

LATE_OK = [SignupStatus.confirmed, SignupStatus.no_show]  # marked 缺席, then came after all


def _insert_signup_ignore(session: Session, values: dict[str, object]) -> None:
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(Signup).values(**values)
    session.connection().execute(
        statement.on_conflict_do_nothing(index_elements=["activity_id", "person_id"])
    )


def mark_attended(
    session: Session, *, activity: Activity, person_id: int, by: str, now: datetime, walk_in: bool = False
) -> bool:
    """Attendance → points, exactly once per person and activity. True if this call credited."""
    if walk_in:  # the organiser confirms someone who never signed up
        _insert_signup_ignore(
            session,
            {
                "activity_id": activity.id,
                "person_id": person_id,
                "status": SignupStatus.attended.value,
                "queued_at": now,
                "updated_at": now,
                "attended_at": now,
                "confirmed_by": by,
            },
        )
    session.execute(
        update(Signup)
        .where(
            col(Signup.activity_id) == activity.id,
            col(Signup.person_id) == person_id,
            col(Signup.status).in_([*ACTIVE, SignupStatus.no_show] if walk_in else LATE_OK),
        )
        .values(status=SignupStatus.attended, attended_at=now, updated_at=now, confirmed_by=by)
    )
    return credit_attendance(session, activity=activity, person_id=person_id, by=by, now=now)


def credit_attendance(
    session: Session, *, activity: Activity, person_id: int, by: str, now: datetime
) -> bool:
    """The activity's points for one attendance: once per person and activity. True if credited now."""
    if activity.points <= 0:
        return False
    return credit(
        session,
        person_id=person_id,
        amount=activity.points,
        reason=f"参加志愿活动「{activity.title}」",
        source=PointSource.activity,
        source_ref=f"activity:{activity.id}",
        operator=by,
        idempotency_key=f"activity:{activity.id}:attended:{person_id}",
        now=now,
    )


@dataclass(frozen=True)
class CheckInResult:
    outcome: str  # checked_in | already | wrong_code | not_signed_up | waitlisted | too_early | too_late
    activity: Activity | None = None
    points: int = 0


def check_in(session: Session, *, person: Person, code: str, now: datetime) -> CheckInResult:
    """Check in with the code the organiser announces, for an activity the person signed up for."""
    query = (
        select(Activity, Signup)
        .join(Signup, col(Signup.activity_id) == Activity.id)
        .where(
            col(Signup.person_id) == person.id,
            col(Activity.checkin_code) == code,
            col(Activity.status) == ActivityStatus.open,
        )
        .order_by(col(Activity.starts_at).desc())
    )
    rows = session.execute(query).all()
    if not rows:
        return CheckInResult("wrong_code")
    current = [(a, s) for a, s in rows if a.starts_at - CHECKIN_EARLY <= now <= a.ends_at + CHECKIN_LATE]
    if not current:
        activity = rows[0][0]
        return CheckInResult("too_early" if now < activity.starts_at else "too_late", activity)
    activity, signup = current[0]
    if signup.status == SignupStatus.attended:
        return CheckInResult("already", activity)
    if signup.status not in LATE_OK:
        return CheckInResult(
            "waitlisted" if signup.status == SignupStatus.waitlisted else "not_signed_up", activity
        )
    credited = mark_attended(session, activity=activity, person_id=person.id, by="code", now=now)  # type: ignore[arg-type]
    return CheckInResult(
        "checked_in" if credited or activity.points == 0 else "already", activity, activity.points
    )


@dataclass(frozen=True)
class VolunteerRecord:
    attended: int
    hours: float


def volunteer_record(session: Session, *, person_id: int) -> VolunteerRecord:
    """Attendance count and volunteer hours (activity durations) of one person."""
    rows = session.execute(
        select(Activity.starts_at, Activity.ends_at)
        .join(Signup, col(Signup.activity_id) == Activity.id)
        .where(col(Signup.person_id) == person_id, col(Signup.status) == SignupStatus.attended)
    ).all()
    hours = sum((end - start).total_seconds() for start, end in rows) / 3600
    return VolunteerRecord(attended=len(rows), hours=round(hours, 1))
