"""Volunteer jobs: activity reminders (a day and an hour before), waitlist housekeeping,
weekly elder-visit pushes and missed-visit alerts. Each is idempotent and catches up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models.activities import Activity, ActivityStatus, Signup, SignupStatus, fill_from_waitlist, when_label
from models.outbox import OutboxMessage, enqueue
from models.visit_jobs import alert_missed_visits, push_due_visits

DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)

TEXTS = {
    "day": "活动提醒：您报名的「{title}」明天 {when} 开始，地点：{place}。如不能参加，请回复「取消报名 {id}」把名额让给候补的邻居。",
    "hour": "活动提醒：「{title}」一小时后（{when}）开始，地点：{place}。到场后回复「签到 + 签到码」领取积分。",
}


def _confirmed(
    session: Session, *, starting_from: datetime, until: datetime
) -> list[tuple[Activity, Signup]]:
    query = (
        select(Activity, Signup)
        .join(Signup, col(Signup.activity_id) == Activity.id)
        .where(
            col(Activity.status) == ActivityStatus.open,
            col(Activity.starts_at) > starting_from,
            col(Activity.starts_at) <= until,
            col(Signup.status) == SignupStatus.confirmed,
        )
        .order_by(col(Activity.starts_at), col(Signup.id))
    )
    return [(a, s) for a, s in session.exec(query).all()]  # type: ignore[call-overload]


def _push_once(session: Session, *, key: str, person_id: int, text: str, now: datetime) -> int:
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first() is not None:
        return 0
    enqueue(session, idempotency_key=key, person_id=person_id, kind="volunteer", text=text, now=now)
    return 1


def remind_day_before(session: Session, *, now: datetime) -> int:
    """Activities starting in 1–24 hours: one reminder per confirmed person (after downtime too)."""
    done = 0
    for activity, signup in _confirmed(session, starting_from=now + HOUR_BEFORE, until=now + DAY_BEFORE):
        if signup.updated_at > activity.starts_at - DAY_BEFORE:
            continue  # signed up or promoted within the last day: they were just told
        text = TEXTS["day"].format(
            title=activity.title, when=when_label(activity.starts_at), place=activity.place, id=activity.id
        )
        key = f"activity:{activity.id}:remind-day:{signup.person_id}"
        done += _push_once(session, key=key, person_id=signup.person_id, text=text, now=now)
    return done


def remind_hour_before(session: Session, *, now: datetime) -> int:
    """Activities starting within the hour: one reminder per confirmed person."""
    done = 0
    for activity, signup in _confirmed(session, starting_from=now, until=now + HOUR_BEFORE):
        text = TEXTS["hour"].format(
            title=activity.title, when=when_label(activity.starts_at), place=activity.place
        )
        key = f"activity:{activity.id}:remind-hour:{signup.person_id}"
        done += _push_once(session, key=key, person_id=signup.person_id, text=text, now=now)
    return done


def fill_waitlists(session: Session, *, now: datetime) -> int:
    """Free places (a capacity raised, a cancellation racing a sign-up) go to the waitlist in order."""
    query = select(Activity.id).where(
        col(Activity.status) == ActivityStatus.open,
        col(Activity.starts_at) > now,
        col(Activity.taken) < col(Activity.capacity),
    )
    return sum(
        fill_from_waitlist(session, activity_id=activity_id, now=now)
        for activity_id in session.exec(query).all()
    )


def push_visits(session: Session, *, now: datetime) -> int:
    return push_due_visits(session, now=now)


def alert_missed(session: Session, *, now: datetime) -> int:
    return alert_missed_visits(session, now=now)


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "volunteers.remind_day_before": (timedelta(minutes=10), remind_day_before),
    "volunteers.remind_hour_before": (timedelta(minutes=5), remind_hour_before),
    "volunteers.fill_waitlists": (timedelta(minutes=10), fill_waitlists),
    "volunteers.push_visits": (timedelta(hours=1), push_visits),
    "volunteers.alert_missed_visits": (timedelta(hours=1), alert_missed),
}
