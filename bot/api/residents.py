"""Residents and rooms: the room register imported from CSV, and the roster (paginated).

The import checks every line first (422 lists each bad line; nothing is written), then writes
in chunks, each its own short transaction, so chat is answered meanwhile. A file of up to
``INLINE_ROWS`` lines is written within the request (201 with the report); a larger one is
written in the background (202 with the operation to poll at ``GET /api/v1/operations/{id}``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from bot.api.deps import AdminActor, NowDep, ReadSessionDep, TicketActor
from bot.api.paging import PageDep, fetch, listing
from bot.chunked import INLINE_ROWS, Operations, import_roster_rows, start
from bot.db import reader
from models.access import Actor
from models.community import room_label
from models.csvfile import CsvEncodingError, decode
from models.residents import RosterError, check_roster, roster_query

router = APIRouter(tags=["residents"])


@router.post(
    "/residents/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
    responses={
        201: {"description": f"imported (up to {INLINE_ROWS} lines): the report and its operation_id"},
        202: {
            "description": f"more than {INLINE_ROWS} lines: being imported in the background; "
            "poll the operation named in `operation_id` (and `Location`)"
        },
        422: {"description": "the problems, one per bad line; nothing was imported"},
    },
)
async def import_residents(request: Request, admin: AdminActor, now: NowDep) -> Any:
    """Body: the CSV itself, header 楼栋,单元,房号,面积,姓名,电话 and optionally 关系 (业主, 家庭成员 or
    租户: the owners' register; open claims it matches are verified) (UTF-8, or GB18030 as Excel saves it).

    Nothing is imported unless every line is good; a 422 lists each bad line.
    """
    try:
        text = decode(await request.body())
    except CsvEncodingError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail={"problems": exc.problems}) from exc
    app = request.app
    return await run_in_threadpool(_import, app.state.engine, app.state.operations, admin, text, now)


def _import(engine: Engine, operations: Operations, admin: Actor, text: str, now: datetime) -> Any:
    with Session(reader(engine)) as session:
        try:
            rows = check_roster(session, text=text)
        except RosterError as exc:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, detail={"problems": exc.problems}
            ) from exc
    operation_id = start(engine, kind="residents-import", total=len(rows), now=now, detail={"by": admin.tag})

    def work() -> dict[str, int]:
        return import_roster_rows(engine, rows, operation_id=operation_id, actor=admin, now=now)

    if len(rows) <= INLINE_ROWS:
        return {**work(), "operation_id": operation_id}
    operations.submit(work)
    location = f"/api/v1/operations/{operation_id}"
    body = {"operation_id": operation_id, "status": "running", "lines": len(rows)}
    return JSONResponse(body, status_code=status.HTTP_202_ACCEPTED, headers={"Location": location})


@router.get("/residents")
def list_residents(
    request: Request, response: Response, session: ReadSessionDep, actor: TicketActor, page: PageDep
) -> dict[str, Any]:
    """The registered householders; a grid worker sees their grid's buildings only."""
    rows, total = fetch(session, roster_query(building_ids=actor.building_ids), page)
    items = [
        {
            "room_id": room.id,
            "room": room_label(building, room),
            "area": room.area,
            "name": h.name,
            "phone": h.phone,
            "relationship": h.relationship,
        }
        for building, room, h in rows
    ]
    return listing(request, response, page, items, total)
