"""Time limits (时限): due times per category, pre-warnings, the escalation ladder, auto-close, follow-ups.

Everything time-driven is computed from the rules when its cause happens and stored on the
ticket (due_at, warn_at, close_at, followup_at), so the scheduled jobs need no configuration
and catch up correctly after downtime. Defaults follow the 12345 norms: emergency 2 h,
水电气热 24 h, general 7 days, complex (disputes) 15 days.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from models.actors import system_label
from models.outbox import enqueue
from models.people import Person
from models.ticket_queue import late
from models.tickets import (
    OPEN,
    STATUS_LABEL,
    Ticket,
    TicketKind,
    TicketStatus,
    clip,
    local_time,
    record,
    set_once,
    transition,
)
from models.workers import building_heads, grid_workers, property_leads, secretaries

DEFAULT_LIMITS = {
    "emergency": 2,
    "水电": 24,
    "燃气": 24,
    "供暖": 24,
    "管道下水": 24,
    "渗漏": 24,
    "电梯": 24,
    "general": 168,
    "complaint": 168,
    "dispute": 360,
    "complex": 360,
}
LADDER = {1: "楼栋长", 2: "网格员", 3: "物业负责人", 4: "社区书记"}

TEXTS = {
    "prewarn": "【即将超时】{code}（{place}，{what}）将于 {due} 到期，请尽快处理。",
    "escalate": "【超时督办】{code}（{place}，{what}）已超过处理时限（{due}），当前状态：{status}，请{rung}督促处理。",
    "followup": "您好，{code}（{place}，{what}）处理完成已有几天了，问题解决了吗？请回复「解决了」或「没修好」。",
    "auto_closed": "{code} 已自动结单。如果问题又出现，回复「没修好 {code}」即可重新打开。",
}


class TicketRules(BaseModel):
    """The ``[tickets]`` config section; see config.example.toml."""

    time_limits_hours: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_LIMITS))
    dispatch_modes: dict[str, str] = Field(default_factory=lambda: {"emergency": "grab"})
    default_mode: str = "assign"
    max_open_per_worker: int = 5
    prewarn_fraction: float = 0.25  # warn when this share of the time limit is left
    escalation_step_fraction: float = 0.5  # each further rung after this share of the limit
    urge_cooldown_hours: int = 4
    followup_days: int = 3
    auto_close_hours: int = 48
    reopen_days: int = 30
    duty_phone: str = ""  # the property's 24-hour line; empty = the community hotline
    metric_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "response_rate": 0.25,
            "resolution_rate": 0.25,
            "satisfaction_rate": 0.3,
            "mediation_rate": 0.1,
            "lowest_level_share": 0.1,
        }
    )


def limit_hours(rules: TicketRules, *, kind: TicketKind, category: str) -> int:
    limits = rules.time_limits_hours
    if kind == TicketKind.emergency:
        return limits.get("emergency", DEFAULT_LIMITS["emergency"])
    if kind in (TicketKind.dispute, TicketKind.complaint):
        return limits.get(kind.value, DEFAULT_LIMITS[kind.value])
    return limits.get(category, limits.get("general", DEFAULT_LIMITS["general"]))


def deadlines(rules: TicketRules, *, hours: int, start: datetime) -> dict[str, object]:
    """The due, warning and escalation-step values for a ticket whose clock starts at ``start``."""
    limit = timedelta(hours=hours)
    return {
        "limit_hours": hours,
        "due_at": start + limit,
        "warn_at": start + limit * (1 - rules.prewarn_fraction),
        "warned_at": None,
        "escalation_level": 0,
        "escalation_step_minutes": max(30, math.ceil(hours * 60 * rules.escalation_step_fraction)),
    }


def after_resolution(rules: TicketRules, *, now: datetime) -> dict[str, object]:
    return {
        "close_at": now + timedelta(hours=rules.auto_close_hours),
        "followup_at": now + timedelta(days=rules.followup_days),
    }


def ladder(session: Session, *, ticket: Ticket, level: int) -> list[Person]:
    """Who is told at escalation ``level``: building head → grid worker → property lead → secretary."""
    if level == 1:
        return building_heads(session, building_id=ticket.building_id)
    if level == 2:
        return grid_workers(session, building_id=ticket.building_id)
    if level == 3:
        return property_leads(session)
    return secretaries(session)


def _facts(session: Session, ticket: Ticket) -> dict[str, str]:
    return {
        "code": ticket.code,
        "place": ticket.place or "未注明地点",
        "what": ticket.category or clip(ticket.description, 20),
        "due": local_time(ticket.due_at),
    }


def send_prewarnings(session: Session, *, now: datetime) -> int:
    done = 0
    query = select(Ticket).where(
        col(Ticket.status).in_(OPEN),
        col(Ticket.warned_at).is_(None),
        col(Ticket.warn_at) <= now,
        col(Ticket.paused_at).is_(None),
    )
    for ticket in session.exec(query).all():
        if not set_once(session, ticket=ticket, column="warned_at", now=now):
            continue
        if now >= ticket.due_at:
            continue  # already late: the escalation ladder takes over
        people = [session.get(Person, ticket.assignee_id)] if ticket.assignee_id else []
        people = [p for p in people if p] or building_heads(session, building_id=ticket.building_id)
        for person in people:
            enqueue(
                session,
                idempotency_key=f"ticket:{ticket.id}:prewarn:{ticket.due_at.isoformat()}:{person.id}",
                person_id=person.id,
                kind="ticket",
                text=TEXTS["prewarn"].format(**_facts(session, ticket)),
                now=now,
            )
        done += 1
    return done


def escalate_overdue(session: Session, *, now: datetime) -> int:
    """Move overdue open tickets up the ladder, one rung per step, catching up after downtime."""
    done = 0
    query = select(Ticket).where(
        col(Ticket.status).in_(OPEN),
        col(Ticket.due_at) <= now,
        col(Ticket.escalation_level) < 4,
        col(Ticket.paused_at).is_(None),
    )
    for ticket in session.exec(query).all():
        step = timedelta(minutes=ticket.escalation_step_minutes)
        target = min(4, 1 + int((now - ticket.due_at) / step))
        current = ticket.escalation_level
        if target <= current:
            continue
        if not transition(
            session,
            ticket=ticket,
            action="escalate",
            to=ticket.status,
            expected=(ticket.status,),
            actor_id=None,
            actor_label=system_label("sla"),
            now=now,
            note=f"{current}→{target}",
            guard={"escalation_level": current},
            escalation_level=target,
        ):
            continue
        facts = _facts(session, ticket)
        for level in range(current + 1, target + 1):
            for person in ladder(session, ticket=ticket, level=level):
                enqueue(
                    session,
                    idempotency_key=f"ticket:{ticket.id}:escalate:{ticket.due_at.isoformat()}:{level}:{person.id}",
                    person_id=person.id,
                    kind="ticket",
                    text=TEXTS["escalate"].format(
                        **facts, status=STATUS_LABEL[ticket.status], rung=LADDER[level]
                    ),
                    now=now,
                )
        done += 1
    return done


def auto_close(session: Session, *, now: datetime) -> int:
    done = 0
    query = select(Ticket).where(Ticket.status == TicketStatus.resolved, col(Ticket.close_at) <= now)
    for ticket in session.exec(query).all():
        if transition(
            session,
            ticket=ticket,
            action="auto_close",
            to=TicketStatus.closed,
            expected=(TicketStatus.resolved,),
            actor_id=None,
            actor_label=system_label("auto_close"),
            now=now,
            closed_at=now,
        ):
            enqueue(
                session,
                idempotency_key=f"ticket:{ticket.id}:auto-closed:{ticket.resolved_at}",
                person_id=ticket.reporter_id,
                kind="ticket",
                text=TEXTS["auto_closed"].format(code=ticket.code),
                now=now,
            )
            done += 1
    return done


def send_followups(session: Session, *, now: datetime) -> int:
    """Ask 「问题解决了吗？」 some days after resolution, unless the resident already answered."""
    done = 0
    query = select(Ticket).where(
        col(Ticket.status).in_((TicketStatus.resolved, TicketStatus.closed)),
        col(Ticket.followup_at) <= now,
        col(Ticket.followup_sent_at).is_(None),
        col(Ticket.resident_fixed).is_(None),
        Ticket.kind != TicketKind.dispute,
    )
    for ticket in session.exec(query).all():
        if not set_once(session, ticket=ticket, column="followup_sent_at", now=now):
            continue
        record(
            session,
            ticket=ticket,
            action="followup",
            actor_id=None,
            now=now,
            actor_label=system_label("followup"),
        )
        enqueue(
            session,
            idempotency_key=f"ticket:{ticket.id}:followup:{ticket.resolved_at}",
            person_id=ticket.reporter_id,
            kind="ticket",
            text=TEXTS["followup"].format(**_facts(session, ticket)),
            now=now,
        )
        done += 1
    return done


def overdue_by_kind(session: Session, *, now: datetime) -> dict[str, int]:
    """Open tickets past their time limit, by kind (for monitoring: ``hgj_tickets_overdue``).

    On each ticket's own clock, as the console and chat count it: a paused ticket is not overdue
    unless it was late when paused."""
    query = (
        select(Ticket.kind, func.count()).where(col(Ticket.status).in_(OPEN), late(now)).group_by(Ticket.kind)
    )
    return {
        str(kind.value if isinstance(kind, TicketKind) else kind): int(n) for kind, n in session.exec(query)
    }
