"""Excel (.xlsx) exports from the console, written with openpyxl: the filtered ticket list (the
month's 三率 by building, grid and handler are ``bot.web.statistics``' breakdown export).

The ticket export takes the list's own filter (``bot.web.ticket_list.filter_from``), so what is
downloaded is what the list shows, every page of it.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.api.deps import NowDep, SessionDep
from bot.web.common import ConsoleDep
from bot.web.ticket_list import describe_row, filter_from, lookups
from models.access import audit
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


@router.get("/stats/export.xlsx")
def export_rates(request: Request) -> RedirectResponse:
    """The month's 三率 used to have an export of their own, computed apart from the statistics
    page's; links to it (bookmarks, the old dashboard) now get the one breakdown workbook."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/console/stats/breakdown.xlsx{query}", status_code=307)
