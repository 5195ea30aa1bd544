"""The organiser's desk for activities: lists, the sign-up sheet, attendance, edits, cancelling.

Attendance from the desk is a compare-and-set on the sign-up (confirmed or no-show → attended;
confirmed → no-show), and the points go through :func:`models.attendance.credit_attendance`,
keyed by activity and person, so marking twice never pays twice. Cancelling an activity tells
everyone still signed up through the outbox, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from models.activities import (
    ACTIVE,
    CHECKIN_EARLY,
    Activity,
    ActivityStatus,
    Signup,
    SignupStatus,
    fill_from_waitlist,
    when_label,
)
from models.attendance import credit_attendance
from models.base import by_id
from models.outbox import enqueue
from models.pages import PAGE_SIZE, paged
from models.people import Person, home_of

CANCELLED_TEXT = "很抱歉，您报名的活动「{title}」（{when}）已取消。{reason}"


class DeskError(ValueError):
    """A desk action refused; ``code`` names why (the console words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def activity_list(
    session: Session, *, now: datetime, past: bool, page: int, size: int = PAGE_SIZE
) -> tuple[list[Activity], int]:
    """Upcoming (not ended yet, soonest first) or past (ended, latest first), cancelled ones included."""
    if past:
        query = select(Activity).where(col(Activity.ends_at) <= now).order_by(col(Activity.starts_at).desc())
    else:
        query = select(Activity).where(col(Activity.ends_at) > now).order_by(col(Activity.starts_at))
    return paged(session, query.order_by(col(Activity.id)), page=page, size=size)


@dataclass(frozen=True)
class SheetRow:
    signup: Signup
    name: str
    phone: str
    building: str


def signup_sheet(
    session: Session, *, activity_id: int, page: int, size: int = PAGE_SIZE
) -> tuple[list[SheetRow], int]:
    """Everyone who signed up (cancelled ones last), in the order they joined."""
    query = (
        select(Signup, Person)
        .join(Person, col(Person.id) == Signup.person_id)
        .where(col(Signup.activity_id) == activity_id)
        .order_by(col(Signup.status) == SignupStatus.cancelled, col(Signup.queued_at), col(Signup.id))
    )
    rows, total = paged(session, query, page=page, size=size)
    sheet = []
    for signup, person in rows:
        home = home_of(session, person)
        building = f"{home[0].number}栋{home[1].unit}单元" if home else ""
        sheet.append(SheetRow(signup, person.name or "（未留姓名）", person.phone, building))
    return sheet, total


def counts(session: Session, *, activity_id: int) -> dict[SignupStatus, int]:
    rows = session.execute(
        select(Signup.status, func.count())
        .where(col(Signup.activity_id) == activity_id)
        .group_by(Signup.status)
    ).all()
    return {SignupStatus(status): int(n) for status, n in rows}


def _open_activity(session: Session, activity_id: int) -> Activity:
    activity = by_id(session, Activity, activity_id)
    if activity is None:
        raise LookupError(f"activity {activity_id} not found")
    if activity.status != ActivityStatus.open:
        raise DeskError("cancelled")
    return activity


def _signup(session: Session, activity: Activity, signup_id: int) -> Signup:
    signup = by_id(session, Signup, signup_id)
    if signup is None or signup.activity_id != activity.id:
        raise LookupError(f"sign-up {signup_id} not found")
    return signup


def mark_present(session: Session, *, activity_id: int, signup_id: int, by: str, now: datetime) -> bool:
    """Came: confirmed or no-show → attended, and the points once. True if this call credited them."""
    activity = _open_activity(session, activity_id)
    if now < activity.starts_at - CHECKIN_EARLY:
        raise DeskError("not_started")
    signup = _signup(session, activity, signup_id)
    changed = session.execute(
        update(Signup)
        .where(
            col(Signup.id) == signup.id,
            col(Signup.status).in_([SignupStatus.confirmed, SignupStatus.no_show]),
        )
        .values(status=SignupStatus.attended, attended_at=now, updated_at=now, confirmed_by=by)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(signup)
        raise DeskError("already" if signup.status == SignupStatus.attended else signup.status.value)
    return credit_attendance(session, activity=activity, person_id=signup.person_id, by=by, now=now)


def mark_no_show(session: Session, *, activity_id: int, signup_id: int, by: str, now: datetime) -> None:
    """Did not come: confirmed → no-show (someone already checked in keeps their attendance)."""
    activity = _open_activity(session, activity_id)
    if now < activity.starts_at:
        raise DeskError("not_started")
    signup = _signup(session, activity, signup_id)
    changed = session.execute(
        update(Signup)
        .where(col(Signup.id) == signup.id, col(Signup.status) == SignupStatus.confirmed)
        .values(status=SignupStatus.no_show, updated_at=now, confirmed_by=by)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(signup)
        raise DeskError(signup.status.value)


def edit_activity(
    session: Session, *, activity_id: int, capacity: int, signup_deadline: datetime | None, now: datetime
) -> int:
    """New capacity and sign-up deadline. Freed places go to the waitlist; returns how many moved up."""
    activity = _open_activity(session, activity_id)
    if signup_deadline is not None and signup_deadline > activity.starts_at:
        raise DeskError("deadline_after_start")
    changed = session.execute(
        update(Activity)
        .where(col(Activity.id) == activity.id, col(Activity.taken) <= capacity)
        .values(capacity=capacity, signup_deadline=signup_deadline)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise DeskError("below_taken")
    session.refresh(activity)
    return fill_from_waitlist(session, activity_id=activity.id, now=now)  # type: ignore[arg-type]


def still_signed_up(session: Session, *, activity_id: int) -> list[Signup]:
    query = select(Signup).where(col(Signup.activity_id) == activity_id, col(Signup.status).in_(list(ACTIVE)))
    return list(session.execute(query.order_by(col(Signup.id))).scalars())


def cancel_activity(session: Session, *, activity_id: int, reason: str, now: datetime) -> int:
    """Open → cancelled, and a push to everyone still signed up. Returns how many are told."""
    activity = _open_activity(session, activity_id)
    changed = session.execute(
        update(Activity)
        .where(col(Activity.id) == activity.id, col(Activity.status) == ActivityStatus.open)
        .values(status=ActivityStatus.cancelled)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise DeskError("cancelled")
    text = CANCELLED_TEXT.format(
        title=activity.title,
        when=when_label(activity.starts_at),
        reason=f"原因：{reason.strip()}" if reason.strip() else "",
    )
    told = still_signed_up(session, activity_id=activity.id)  # type: ignore[arg-type]
    for signup in told:
        enqueue(
            session,
            idempotency_key=f"activity:{activity.id}:cancelled:{signup.id}",
            person_id=signup.person_id,
            kind="volunteer",
            text=text,
            now=now,
        )
    session.refresh(activity)
    return len(told)
