"""Residents and rooms: the room register imported from CSV (all-or-nothing), and the roster."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from bot.api.deps import AdminActor, NowDep, SessionDep, TicketActor
from models.access import Actor, audit
from models.community import room_label
from models.residents import RosterError, decode, import_roster, roster

router = APIRouter(tags=["residents"])


@router.post(
    "/residents/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def import_residents(
    request: Request, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    """Body: the CSV itself, header 楼栋,单元,房号,面积,姓名,电话 (UTF-8, or GB18030 as Excel saves it).

    Nothing is imported unless every line is good; a 422 lists each bad line.
    """
    text = decode(await request.body())
    return await run_in_threadpool(_import, session, admin, text, now)


def _import(session: Session, admin: Actor, text: str, now: datetime) -> dict[str, Any]:
    try:
        with session.begin():
            report = import_roster(session, text=text, now=now)
            audit(
                session, actor=admin, action="residents.import", now=now, target="roster", **report.as_json()
            )
    except RosterError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail={"problems": exc.problems}) from exc
    return report.as_json()


@router.get("/residents")
def list_residents(session: SessionDep, actor: TicketActor) -> dict[str, Any]:
    """The registered householders; a grid worker sees their grid's buildings only."""
    items = [
        {
            "room_id": room.id,
            "room": room_label(building, room),
            "area": room.area,
            "name": h.name,
            "phone": h.phone,
        }
        for building, room, h in roster(session, building_ids=actor.building_ids)
    ]
    return {"items": items, "total": len(items)}
