"""The console's 概览: 三率 and 化解率 by month, open work by age and building, volunteering, points."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.charts import bar_chart, line_chart
from bot.web.common import OFFICE, ConsoleDep, page
from bot.web.ticket_list import link
from models.access import Actor
from models.activities import Signup
from models.base import LOCAL_TZ, month_of
from models.community import Building
from models.people import BindingRequest, BindingStatus, Person, Role
from models.points import PointEntry, PointSource
from models.stats import compute, headline
from models.ticket_office import open_by_age, open_tickets
from models.ticket_queue import TicketFilter, count, month_range, today_filters
from models.tickets import TicketKind

router = APIRouter(prefix="/console", include_in_schema=False)
MONTHS = 6
TRENDS = [
    ("response_rate", "响应率"),
    ("resolution_rate", "解决率"),
    ("satisfaction_rate", "满意率"),
    ("mediation_rate", "矛盾纠纷化解率"),
]


def last_months(now: datetime, count: int = MONTHS) -> list[str]:
    local = now.astimezone(LOCAL_TZ)
    year, month = local.year, local.month
    months = []
    for _ in range(count):
        months.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _label(month: str) -> str:
    return f"{int(month[5:])}月"


def _by_month(moments: list[tuple[datetime, int]], months: list[str]) -> list[tuple[str, float]]:
    totals: Counter[str] = Counter()
    for moment, amount in moments:
        totals[f"{moment.astimezone(LOCAL_TZ):%Y-%m}"] += amount
    return [(_label(m), float(totals[m])) for m in months]


def charts(
    session: Session, *, actor: Actor, now: datetime, weights: dict[str, float]
) -> list[tuple[str, Any]]:
    months = last_months(now)
    stats = compute(session, now=now, weights=weights, building_ids=actor.building_ids)
    per_month = {row["key"]: row for row in stats["by_month"]}
    result = [
        (
            f"{name}（近{MONTHS}个月）",
            line_chart([(_label(m), per_month.get(m, {}).get(key)) for m in months], unit="%"),
        )
        for key, name in TRENDS
    ]
    waiting = open_tickets(session, building_ids=actor.building_ids)
    numbers = {b.id: b.label for b in session.exec(select(Building))}
    by_building = Counter(numbers.get(t.building_id, "公共区域") for t in waiting)
    result += [
        (
            "未完成工单：已等待时长",
            bar_chart([(k, float(v)) for k, v in open_by_age(waiting, now=now)], unit="件"),
        ),
        ("未完成工单：按楼栋", bar_chart([(k, float(v)) for k, v in sorted(by_building.items())], unit="件")),
    ]
    attended = session.exec(select(Signup.attended_at).where(col(Signup.attended_at).is_not(None))).all()
    result.append(
        ("志愿活动参与人次", bar_chart(_by_month([(a, 1) for a in attended if a], months), unit="人次"))
    )
    entries = session.exec(select(PointEntry.created_at, PointEntry.amount, PointEntry.source)).all()
    issued = [(at, amount) for at, amount, _ in entries if amount > 0]
    redeemed = [
        (at, -amount) for at, amount, source in entries if amount < 0 and source == PointSource.redemption
    ]
    result += [
        ("积分发放", bar_chart(_by_month(issued, months), unit="分")),
        ("积分兑换", bar_chart(_by_month(redeemed, months), unit="分")),
    ]
    return result


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _month(request: Request, now: datetime) -> str:
    asked = request.query_params.get("month", "")
    if re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", asked):
        return asked
    return month_of(now)


def today_cards(session: Session, *, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """「现在要处理的」: each count with the link to the very list it counts."""
    cards = [
        {
            "key": key,
            "label": label,
            "count": count(session, f, now=now, building_ids=actor.building_ids),
            "href": link(f),
        }
        for key, label, f in today_filters(now)
    ]
    if actor.role in OFFICE:  # binding review is the office's (居民与绑定)
        pending = session.exec(
            select(func.count())
            .select_from(BindingRequest)
            .where(BindingRequest.status == BindingStatus.pending)
        ).one()
        cards.append(
            {"key": "bindings", "label": "待审核绑定", "count": pending, "href": "/console/bindings"}
        )
    return cards


def month_cards(
    session: Session, *, actor: Actor, now: datetime, month: str, weights: dict[str, float]
) -> list[tuple[str, Any, str]]:
    """The month's figures as (label, value, link or ""); the rates leave complaints out, as 12345 does."""
    stats = headline(session, now=now, weights=weights, month=month, building_ids=actor.building_ids)
    first, last = month_range(month)
    in_month = TicketFilter(state="all", since=first, until=last)
    complaints = in_month.with_(kind=TicketKind.complaint.value)
    total = count(session, in_month, now=now, building_ids=actor.building_ids)
    return [
        ("工单（含投诉）", total, link(in_month)),
        ("其中投诉", stats["complaints"]["total"], link(complaints)),
        (
            "其中未完成",
            count(session, in_month.with_(state="open"), now=now, building_ids=actor.building_ids),
            link(in_month.with_(state="open")),
        ),
        ("响应率", _percent(stats["response_rate"]), ""),
        ("解决率", _percent(stats["resolution_rate"]), ""),
        ("满意率", _percent(stats["satisfaction_rate"]), ""),
        ("化解率", _percent(stats["mediation_rate"]), ""),
    ]


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, actor: ConsoleDep, now: NowDep) -> HTMLResponse:
    weights = request.app.state.settings.tickets.metric_weights
    month = _month(request, now)
    residents = session.exec(
        select(func.count())
        .select_from(Person)
        .where(Person.role == Role.resident, col(Person.room_id).is_not(None))
    ).one()
    open_all = TicketFilter()
    scope = "本网格" if actor.building_ids is not None else "全社区"
    return page(
        request,
        "dashboard.html",
        actor,
        session,
        today=today_cards(session, actor=actor, now=now),
        month=month,
        month_label=f"{month[:4]}年{int(month[5:])}月" + ("（本月）" if month == month_of(now) else ""),
        months=last_months(now, 12)[::-1],
        month_cards=month_cards(session, actor=actor, now=now, month=month, weights=weights),
        open_count=count(session, open_all, now=now, building_ids=actor.building_ids),
        open_link=link(open_all),
        residents=residents,
        scope=scope,
        stats_export=f"/console/stats/breakdown.xlsx?month={month}",
        charts=charts(session, actor=actor, now=now, weights=weights),
    )
