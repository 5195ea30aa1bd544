"""The console's 统计: a month's 三率 and counts for the community, then per building, grid and
handler, as tables (cards on a phone), bar charts with axes, and an .xlsx of the same figures.

Every rate shows its sample size n; a rate with n=0 reads 「无数据」. The figures come from
``models.stats_breakdown`` (SQL, the definitions of ``models.stats``); a grid worker sees their grid.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from bot.api.deps import NowDep, ReadSessionDep
from bot.web.axis_charts import count_chart, percent, rate_chart
from bot.web.common import ConsoleDep, page
from bot.web.dashboard import last_months
from bot.web.exports import add_sheet, download, new_book
from models.base import month_of, previous_month
from models.fee_stats import collection
from models.ledger import yuan
from models.stats_breakdown import RATE_PARTS, Breakdown, Figures, breakdown

router = APIRouter(prefix="/console", include_in_schema=False)
MONTHS = 12
RATE_NAMES = {
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "mediation_rate": "化解率",
}
NO_DATA = "无数据"
# (attribute, heading) of the breakdown tables, in order; a rate's column shows its n
COLUMNS = [
    ("received", "收到工单"),
    ("complaints", "投诉"),
    ("responded", "按时响应"),
    ("response_rate", "响应率"),
    ("fixed", "已解决"),
    ("resolution_rate", "解决率"),
    ("satisfied", "满意"),
    ("satisfaction_rate", "满意率"),
    ("mediation_rate", "化解率"),
]
SPLITS = [("buildings", "按楼栋", "楼栋"), ("grids", "按网格", "网格"), ("handlers", "按处理人", "处理人")]
NOTES = {
    "buildings": "没有楼栋的工单（如小区大门、公共设施）记在「公共区域」。",
    "grids": "公共区域和还没划入网格的楼栋的工单记在「未划网格」。",
    "handlers": "按工单现在的处理人统计：转过单的工单算在接手的人名下；还没派出去的记在「未派单」。",
}


def chosen_month(request: Request, now: datetime) -> str:
    """The asked month ("2026-11"), or this month when none, a malformed one or a future one is asked."""
    asked = request.query_params.get("month", "")
    this = month_of(now)
    if re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", asked) and asked <= this:
        return asked
    return this


def month_label(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def rate_value(figures: Figures, name: str) -> str:
    """「80%」, or 「无数据」 when there is nothing to rate (n=0)."""
    hits, size = RATE_PARTS[name]
    return (
        f"{percent(getattr(figures, hits), getattr(figures, size))}%" if getattr(figures, size) else NO_DATA
    )


def rate_text(figures: Figures, name: str) -> str:
    """「80%（n=5）」, or 「无数据（n=0）」."""
    return f"{rate_value(figures, name)}（n={figures.size(name)}）"


def cells(figures: Figures) -> list[str]:
    return [
        rate_text(figures, key) if key in RATE_PARTS else str(getattr(figures, key)) for key, _ in COLUMNS
    ]


def cards(total: Figures) -> list[dict[str, str]]:
    """The community's figures; a rate's card says its n underneath."""
    counts = [("received", "收到工单（不含投诉）"), ("complaints", "投诉"), ("open", "未完成")]
    result = [
        {"key": key, "label": label, "value": str(getattr(total, key)), "n": ""} for key, label in counts
    ]
    for name in RATE_PARTS:
        value, size = rate_value(total, name), f"n={total.size(name)}"
        result.append({"key": name, "label": RATE_NAMES[name], "value": value, "n": size})
    return result


def fee_card(
    session: Session, *, now: datetime, month: str, building_ids: frozenset[int] | None
) -> dict[str, str]:
    """物业费收缴率 of the month's bills already due (``models.fee_stats``), with what was billed."""
    scope = sorted(building_ids) if building_ids is not None else None
    total, _rows = collection(session, now=now, period=month, building_ids=scope)
    value = f"{percent(total.collected_fen, total.billed_fen)}%" if total.billed_fen else NO_DATA
    return {
        "key": "collection_rate",
        "label": "收缴率",
        "value": value,
        "n": f"应收 {yuan(total.billed_fen)}",
    }


def charts(rows: list[Figures], title: str, category: str) -> list[tuple[str, Markup]]:
    """(caption, chart): the tickets received, then 响应率, 解决率 and 满意率 with their n."""
    caption = f"收到工单（{title}）"
    result = [(caption, count_chart(caption, category, [(r.name, r.received) for r in rows]))]
    for name in ("response_rate", "resolution_rate", "satisfaction_rate"):
        hits, size = RATE_PARTS[name]
        caption = f"{RATE_NAMES[name]}（{title}）"
        bars = [(r.name, getattr(r, hits), getattr(r, size)) for r in rows]
        result.append((caption, rate_chart(caption, category, bars)))
    return result


def sections(found: Breakdown) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "title": title,
            "category": category,
            "note": NOTES[key],
            "rows": [(r.name, cells(r)) for r in getattr(found, key)],
            "charts": charts(getattr(found, key), title, category),
        }
        for key, title, category in SPLITS
    ]


@router.get("/stats", response_class=HTMLResponse)
def statistics(request: Request, session: ReadSessionDep, actor: ConsoleDep, now: NowDep) -> HTMLResponse:
    month = chosen_month(request, now)
    found = breakdown(session, now=now, month=month, building_ids=actor.building_ids)
    this = month_of(now)
    return page(
        request,
        "statistics.html",
        actor,
        session,
        month=month,
        title=month_label(month) + ("（本月）" if month == this else ""),
        scope=found.community.name,
        months=[(m, month_label(m)) for m in _choices(now, month)],
        earlier=previous_month(month),
        later=None if month == this else _next_month(month),
        cards=[
            *cards(found.community),
            fee_card(session, now=now, month=month, building_ids=actor.building_ids),
        ],
        headings=[heading for _, heading in COLUMNS],
        total=cells(found.community),
        sections=sections(found),
        export=f"/console/stats/breakdown.xlsx?month={month}",
    )


def _choices(now: datetime, month: str) -> list[str]:
    """This month and the eleven before it, newest first, and the chosen one if it is older."""
    recent = last_months(now, MONTHS)[::-1]
    return recent if month in recent else [*recent, month]


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"


EXPORT_COLUMNS = [
    ("received", "收到工单（不含投诉）"),
    ("complaints", "投诉"),
    ("open", "未完成"),
    ("due", "应响应（响应率n）"),
    ("responded", "按时响应"),
    ("response_rate", "响应率"),
    ("answered", "答复了是否解决（解决率n）"),
    ("fixed", "已解决"),
    ("resolution_rate", "解决率"),
    ("rated", "已评价（满意率n）"),
    ("satisfied", "满意（4–5星）"),
    ("satisfaction_rate", "满意率"),
    ("heard", "当事人答复的调解（化解率n）"),
    ("settled", "已化解"),
    ("mediation_rate", "化解率"),
]


def export_row(figures: Figures) -> list[Any]:
    """Counts as numbers; a rate as a fraction (shown as a percentage), or 「无数据」 when n=0."""
    row: list[Any] = [figures.name]
    for key, _ in EXPORT_COLUMNS:
        if key in RATE_PARTS:
            value = figures.rate(key)
            row.append(NO_DATA if value is None else value)
        else:
            row.append(getattr(figures, key))
    return row


@router.get("/stats/breakdown.xlsx")
def export_breakdown(request: Request, session: ReadSessionDep, actor: ConsoleDep, now: NowDep) -> Response:
    month = chosen_month(request, now)
    found = breakdown(session, now=now, month=month, building_ids=actor.building_ids)
    book = new_book()
    header = [label for _, label in EXPORT_COLUMNS]
    add_sheet(book, found.community.name, ["月份", *header], [[month, *export_row(found.community)[1:]]])
    for key, title, category in SPLITS:
        add_sheet(book, title, [category, *header], [export_row(r) for r in getattr(found, key)])
    rate_columns = [index for index, (key, _) in enumerate(EXPORT_COLUMNS, start=2) if key in RATE_PARTS]
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for index in rate_columns:
                row[index - 1].number_format = "0.0%"
    return download(book, f"统计-{month}.xlsx")
