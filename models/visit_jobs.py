"""Visit reminders and missed-visit alerts (run by scheduler.volunteers).

The volunteer is reminded once per due time, a day before the visit is due. A visit overdue
past the grace period alerts the volunteer's supervisor once per due time — the elder's
building head, else the grid worker — never the volunteer. Paused rotas wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from models.activities import when_label
from models.outbox import OutboxMessage, enqueue
from models.people import Person, describe
from models.visit_records import supervisors
from models.visits import VisitRota, running

PUSH_AHEAD = timedelta(days=1)  # the volunteer hears a day before the visit is due
GRACE = timedelta(days=2)  # after this the supervisor is alerted

TEXTS = {
    "due": "走访提醒：请在{when}前走访{elder}。走访后回复「已走访 + 情况」，例如「已走访 身体不错」；没见到本人请如实说明，例如「已走访 敲门没人应」。",
    "missed": "【走访未完成】{volunteer}负责的{elder}已超过{days}天未走访，请跟进（可联系志愿者，或在后台改派他人）。",
}


def push_due_visits(session: Session, *, now: datetime) -> int:
    """Remind each volunteer once per due time that a visit is coming up (or overdue)."""
    query = select(VisitRota).where(running(now), col(VisitRota.next_due_at) <= now + PUSH_AHEAD)
    pushed = 0
    for rota in session.execute(query).scalars():
        elder = session.get(Person, rota.elder_id)
        key = f"visit:{rota.id}:{rota.next_due_at.isoformat()}:due"
        if _exists(session, key):
            continue
        enqueue(
            session,
            idempotency_key=key,
            person_id=rota.volunteer_id,
            kind="visit",
            text=TEXTS["due"].format(
                when=when_label(rota.next_due_at), elder=describe(session, elder) if elder else ""
            ),
            now=now,
        )
        pushed += 1
    return pushed


def alert_missed_visits(session: Session, *, now: datetime) -> int:
    """Alert the volunteer's supervisor once per overdue visit."""
    query = select(VisitRota).where(running(now), col(VisitRota.next_due_at) < now - GRACE)
    alerted = 0
    for rota in session.execute(query).scalars():
        elder = session.get(Person, rota.elder_id)
        volunteer = session.get(Person, rota.volunteer_id)
        if elder is None or volunteer is None:
            continue
        days = (now - rota.next_due_at).days
        text = TEXTS["missed"].format(
            volunteer=volunteer.name or "志愿者", elder=describe(session, elder), days=days
        )
        for head in supervisors(session, elder=elder, volunteer_id=volunteer.id):
            key = f"visit:{rota.id}:{rota.next_due_at.isoformat()}:missed:{head.id}"
            before = _exists(session, key)
            enqueue(session, idempotency_key=key, person_id=head.id, kind="visit", text=text, now=now)
            alerted += not before
    return alerted


def _exists(session: Session, key: str) -> bool:
    return (
        session.execute(select(OutboxMessage.id).where(col(OutboxMessage.idempotency_key) == key)).first()
        is not None
    )
