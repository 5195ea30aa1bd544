"""Excel (.xlsx) exports from the console, written with openpyxl: the filtered ticket list, and a
month's 三率 by building, grid and handler with the counts behind each rate.

The ticket export takes the list's own filter (``bot.web.ticket_list.filter_from``), so what is
downloaded is what the list shows, every page of it.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.api.deps import NowDep, SessionDep
from bot.web.common import ConsoleDep
from bot.web.ticket_list import describe_row, filter_from, lookups
from models.access import audit
from models.base import month_of
from models.stats import compute
from models.ticket_queue import all_of

if TYPE_CHECKING:
    from openpyxl import Workbook

router = APIRouter(prefix="/console", include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TICKET_COLUMNS = [
    ("code", "单号"),
    ("kind", "类型"),
    ("status", "状态"),
    ("left", "剩余时间"),
    ("due", "办理时限"),
    ("building", "楼栋"),
    ("place", "地点"),
    ("category", "类别"),
    ("description", "内容"),
    ("reporter", "报告人"),
    ("phone", "电话"),
    ("assignee", "处理人"),
    ("created", "提交时间"),
]
RATE_COLUMNS = [
    ("total", "工单数"),
    ("open", "未完成"),
    ("response_rate", "响应率"),
    ("resolution_rate", "解决率"),
    ("satisfaction_rate", "满意率"),
    ("mediation_rate", "化解率"),
]
SPLITS = [
    ("by_building", "按楼栋", "楼栋"),
    ("by_grid", "按网格", "网格"),
    ("by_handler", "按处理人", "处理人"),
]


def add_sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = max([len(str(name)) * 2, *(len(str(r[index - 1])) * 2 for r in rows[:200])], default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 60)


def download(book: Workbook, filename: str) -> Response:
    buffer = BytesIO()
    book.save(buffer)
    disposition = f"attachment; filename=export.xlsx; filename*=UTF-8''{quote(filename)}"
    return Response(buffer.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition})


def new_book() -> Workbook:
    from openpyxl import Workbook  # imported when exporting: the console starts without it

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    return book


@router.get("/tickets/export.xlsx")
def export_tickets(request: Request, session: SessionDep, actor: ConsoleDep, now: NowDep) -> Response:
    f = filter_from(request)
    tickets = all_of(session, f, now=now, building_ids=actor.building_ids)
    people, buildings = lookups(session, tickets)
    rows = [describe_row(t, now=now, people=people, buildings=buildings) for t in tickets]
    book = new_book()
    add_sheet(
        book,
        "工单",
        [label for _, label in TICKET_COLUMNS],
        [[r[k] for k, _ in TICKET_COLUMNS] for r in rows],
    )
    with session.begin():  # who took the residents' names and phones home
        audit(
            session,
            actor=actor,
            action="tickets.export",
            now=now,
            count=len(rows),
            query=str(request.url.query),
        )
    return download(book, f"工单-{now:%Y%m%d}.xlsx")


def _rate(value: float | None) -> float | str:
    return "" if value is None else value


def rate_rows(stats: dict[str, Any], key: str) -> list[list[Any]]:
    return [
        [group["key"], group["total"], group["open"], *(_rate(group[k]) for k, _ in RATE_COLUMNS[2:])]
        for group in stats[key]
    ]


@router.get("/stats/export.xlsx")
def export_rates(request: Request, session: SessionDep, actor: ConsoleDep, now: NowDep) -> Response:
    asked = request.query_params.get("month", "")
    month = asked if re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", asked) else month_of(now)
    weights = request.app.state.settings.tickets.metric_weights
    stats = compute(session, now=now, weights=weights, month=month, building_ids=actor.building_ids)
    book = new_book()
    summary = [[month, stats["total"], stats["open"], *(_rate(stats[k]) for k, _ in RATE_COLUMNS[2:])]]
    header = [label for _, label in RATE_COLUMNS[1:]]  # the rates always leave complaints out
    scope = "全社区" if actor.building_ids is None else "本网格"
    add_sheet(book, scope, ["月份", "工单数（不含投诉）", *header], summary)
    for key, title, name in SPLITS:
        add_sheet(book, title, [name, "工单数（含投诉）", *header], rate_rows(stats, key))
    for sheet in book.worksheets:  # rates as percentages, the counts as they are
        for row in sheet.iter_rows(min_row=2, min_col=4):
            for cell in row:
                cell.number_format = "0.0%"
    complaints = stats["complaints"]
    add_sheet(
        book,
        "投诉",
        ["月份", "投诉数", "未完成", "解决率"],
        [[month, complaints["total"], complaints["open"], _rate(complaints["resolution_rate"])]],
    )
    book["投诉"]["D2"].number_format = "0.0%"
    return download(book, f"三率-{month}.xlsx")
