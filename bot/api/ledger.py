"""三公开 ledger: entries (JSON or a CSV upload, all-or-nothing), monthly summary, publication."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from bot.api.deps import AdminActor, Everyone, NowDep, ReadSessionDep, SessionDep, in_scope
from bot.api.limits import Input, Key
from bot.api.paging import PageDep, fetch, listing
from bot.db import write_gate
from models.access import Actor, audit
from models.community import Building
from models.csvfile import CsvEncodingError, decode
from models.ledger import (
    MAX_AMOUNT_FEN,
    MAX_NOTE,
    MONTH_PATTERN,
    EntryInput,
    LedgerEntry,
    LedgerError,
    add_entries,
    import_csv,
    publish_month,
    summary_text,
)
from models.operations import finish_operation, start_operation

router = APIRouter(tags=["ledger"])
Month = Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2026-11"])]


class EntryCreate(Input):
    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-11"])
    kind: str = Field(description="income | expense (收入 | 支出)")
    item: str = Field(min_length=1, max_length=60, examples=["停车费"])
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN, description="amount in fen (分), an integer")
    note: str = Field(default="", max_length=MAX_NOTE)
    building: str | None = Field(
        default=None, max_length=20, description="building number when it concerns one building"
    )


class EntriesCreate(Input):
    entries: list[EntryCreate] = Field(min_length=1)


class EntryPublic(BaseModel):
    id: int
    month: str
    kind: str
    item: str
    amount_fen: int
    note: str
    building_id: int | None
    created_by: str
    created_at: datetime


def _problems(exc: LedgerError, **extra: Any) -> HTTPException:
    return HTTPException(422, detail={"problems": exc.problems, **extra})


@router.post("/ledger/entries", status_code=status.HTTP_201_CREATED)
def create_entries(
    body: EntriesCreate, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    items = [EntryInput(**entry.model_dump()) for entry in body.entries]
    try:
        with session.begin():
            stored = add_entries(session, items=items, created_by=admin.tag, now=now)
            ids = [e.id for e in stored]
            audit(session, actor=admin, action="ledger.add", now=now, target="ledger", ids=ids)
    except LedgerError as exc:
        raise _problems(exc) from exc
    return {"ids": [e.id for e in stored], "total": len(stored)}


@router.get("/ledger/entries")
def list_entries(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    actor: Everyone,
    page: PageDep,
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
) -> dict[str, object]:
    """The entries; a grid worker sees community-wide ones and their grid's buildings'."""
    query = select(LedgerEntry).order_by(col(LedgerEntry.id))
    if month:
        query = query.where(LedgerEntry.month == month)
    if actor.building_ids is not None:
        query = query.where(
            col(LedgerEntry.building_id).is_(None) | col(LedgerEntry.building_id).in_(actor.building_ids)
        )
    rows, total = fetch(session, query, page)
    items = [EntryPublic.model_validate(e, from_attributes=True) for e in rows]
    return listing(request, response, page, items, total)


@router.post(
    "/ledger/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def import_entries(request: Request, admin: AdminActor) -> dict[str, Any]:
    """Body: the CSV itself (UTF-8, or GB18030 / UTF-16 as Excel saves it; header
    month,kind,item,amount_yuan,note,building). Nothing is imported unless every line is good."""
    try:
        text = decode(await request.body())
    except CsvEncodingError as exc:
        raise HTTPException(422, detail={"problems": exc.problems}) from exc
    engine, now = request.app.state.engine, request.app.state.clock.now()
    return await run_in_threadpool(_import, engine, text, admin, now)


def _import(engine: Any, text: str, admin: Actor, now: datetime) -> dict[str, Any]:
    with write_gate(engine), Session(engine, expire_on_commit=False) as session:
        with session.begin():
            lines = max(len([line for line in text.splitlines() if line.strip()]) - 1, 0)
            operation = start_operation(session, kind="ledger-import", now=now, total=lines)
        assert operation.id is not None
        try:
            with session.begin():
                stored = import_csv(session, text=text, created_by=admin.tag, now=now)
                audit(
                    session, actor=admin, action="ledger.import", now=now, target="ledger", rows=len(stored)
                )
                finish_operation(
                    session, operation_id=operation.id, ok=True, now=now, detail={"imported": len(stored)}
                )
        except LedgerError as exc:
            with session.begin():
                finish_operation(
                    session, operation_id=operation.id, ok=False, now=now, detail={"problems": exc.problems}
                )
            raise _problems(exc, operation_id=operation.id) from exc
    return {"operation_id": operation.id, "imported": len(stored)}


@router.get("/ledger/{month}/summary")
def month_summary(
    month: Month, session: ReadSessionDep, actor: Everyone, building: Key | None = None
) -> dict[str, Any]:
    building_id = None
    if building:
        found = session.exec(select(Building).where(Building.number == building.upper())).first()
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"building {building} not found")
        in_scope(actor, found.id, f"building {building}")
        building_id = found.id
    text = summary_text(session, month=month, building_id=building_id)
    if text is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no ledger entries for {month}")
    return {"month": month, "text": text}


@router.post("/ledger/{month}/publish")
def publish(month: Month, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    """Push the month's summary to every building group now (once per month and building)."""
    with session.begin():
        pushes = publish_month(session, month=month, now=now)
        audit(session, actor=admin, action="ledger.publish", now=now, target=f"ledger:{month}", pushes=pushes)
    return {"month": month, "pushes": pushes}
