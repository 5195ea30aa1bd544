"""The monthly service report: last month's 响应率, 解决率, 满意率 and 化解率 for the office."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models.base import LOCAL_TZ, month_of, previous_month
from models.outbox import OutboxMessage, enqueue
from models.people import Person, Role
from models.sla import TicketRules
from models.stats import headline

TEXT = (
    "【{month} 服务月报】工单 {total} 件：响应率 {response}，解决率 {resolution}，满意率 {satisfaction}；"
    "纠纷化解率 {mediation}。详见管理后台「概览」。"
)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def monthly_report(session: Session, *, now: datetime) -> int:
    """From 09:00 on the 1st (local time), send last month's figures to admins and the secretary, once."""
    local = now.astimezone(LOCAL_TZ)
    if local.day == 1 and local.hour < 9:
        return 0
    month = previous_month(month_of(now))
    figures = headline(session, now=now, weights=TicketRules().metric_weights, month=month)
    if not figures.get("total"):
        return 0  # no work orders that month (e.g. before the system was in use): nothing to report
    text = TEXT.format(
        month=month,
        total=figures.get("total", 0),
        response=_percent(figures.get("response_rate")),
        resolution=_percent(figures.get("resolution_rate")),
        satisfaction=_percent(figures.get("satisfaction_rate")),
        mediation=_percent(figures.get("mediation_rate")),
    )
    office = session.exec(
        select(Person).where(col(Person.role).in_([Role.admin, Role.secretary])).order_by(col(Person.id))
    ).all()
    sent = 0
    for person in office:
        key = f"monthly-report:{month}:{person.id}"
        if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first() is None:
            enqueue(session, idempotency_key=key, person_id=person.id, kind="report", text=text, now=now)
            sent += 1
    return sent


JOBS: dict[str, tuple[timedelta, Callable[..., int]]] = {
    "monthly_report": (timedelta(hours=1), monthly_report),
}
