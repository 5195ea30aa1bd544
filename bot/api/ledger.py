"""三公开 ledger: accounts, entries (JSON or a CSV upload, all-or-nothing), corrections, figures, publication.

Refusals that are about the state of the books, not the input, are 409 with a ``reason``:
``duplicate`` (this file was imported before), ``overlap`` (rows already on the books or twice in
the file) and ``frozen`` (the month is published; only corrections with a reason).
"""

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
from models.base import MAX_INT
from models.community import Building
from models.csvfile import CsvEncodingError, decode
from models.ledger import (
    MAX_AMOUNT_FEN,
    MAX_NOTE,
    MAX_REASON,
    MONTH_PATTERN,
    EntryInput,
    LedgerEntry,
    LedgerError,
    add_entries,
    correct_entry,
    publication,
)
from models.ledger_accounts import accounts
from models.ledger_figures import Figures, balances, compute, render
from models.ledger_import import export_csv, import_csv
from models.ledger_publish import YEAR_PATTERN, publish_month, publish_year
from models.operations import finish_operation, start_operation

router = APIRouter(tags=["ledger"])
Month = Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2026-11"])]
Year = Annotated[str, Path(pattern=YEAR_PATTERN, examples=["2026"])]
STATUS = {"duplicate": 409, "overlap": 409, "frozen": 409, "conflict": 409, "not_found": 404}
CONFLICT = "{period} was published by a simultaneous request; reload to see that publication"


class EntryCreate(Input):
    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-11"])
    kind: str = Field(description="income | expense (收入 | 支出)")
    item: str = Field(min_length=1, max_length=60, examples=["停车费"])
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN, description="amount in fen (分), an integer")
    note: str = Field(default="", max_length=MAX_NOTE)
    building: str | None = Field(
        default=None, max_length=20, description="building number when it concerns one building"
    )
    account: str | None = Field(default=None, max_length=30, description="account name; default: the first")
    reason: str = Field(default="", max_length=MAX_REASON, description="required once the month is published")


class EntriesCreate(Input):
    entries: list[EntryCreate] = Field(min_length=1)


class CorrectionCreate(Input):
    amount_fen: int = Field(
        ge=0, le=MAX_AMOUNT_FEN, description="the right amount in fen; 0 cancels the entry"
    )
    reason: str = Field(min_length=1, max_length=MAX_REASON, examples=["发票金额录错"])


class EntryPublic(BaseModel):
    id: int
    account_id: int
    month: str
    kind: str
    item: str
    amount_fen: int
    note: str
    building_id: int | None
    corrects_id: int | None
    reason: str
    created_by: str
    created_at: datetime


def _refused(exc: LedgerError, **extra: Any) -> HTTPException:
    return HTTPException(
        STATUS.get(exc.reason, 422), detail={"reason": exc.reason, "problems": exc.problems, **extra}
    )


def _publish_refused(exc: LedgerError, period: str) -> HTTPException:
    return _refused(exc, **({"message": CONFLICT.format(period=period)} if exc.reason == "conflict" else {}))


@router.get("/ledger/accounts")
def list_accounts(session: ReadSessionDep, actor: Everyone) -> list[dict[str, Any]]:
    """The accounts with their opening balance and their balance now (all entries)."""
    now = balances(session)
    return [
        {
            "id": a.id,
            "name": a.name,
            "opening_fen": a.opening_fen,
            "balance_fen": now[a.name],
            "monthly": a.monthly,
            "yearly": a.yearly,
        }
        for a in accounts(session)
    ]


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
        raise _refused(exc) from exc
    return {"ids": [e.id for e in stored], "total": len(stored)}


@router.post("/ledger/entries/{entry_id}/corrections", status_code=status.HTTP_201_CREATED)
def create_correction(
    entry_id: Annotated[int, Path(gt=0, le=MAX_INT)],
    body: CorrectionCreate,
    session: SessionDep,
    admin: AdminActor,
    now: NowDep,
) -> EntryPublic:
    """A compensating entry: the original stays; this one carries the difference and the reason."""
    try:
        with session.begin():
            fix = correct_entry(
                session,
                entry_id=entry_id,
                amount_fen=body.amount_fen,
                reason=body.reason,
                actor=admin,
                now=now,
            )
    except LedgerError as exc:
        raise _refused(exc) from exc
    return EntryPublic.model_validate(fix, from_attributes=True)


@router.get("/ledger/entries")
def list_entries(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    actor: Everyone,
    page: PageDep,
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
) -> dict[str, object]:
    """The entries (corrections included, each naming what it corrects); a grid worker sees
    community-wide ones and their grid's buildings'."""
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


@router.get(
    "/ledger/entries.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def export_entries(
    session: ReadSessionDep,
    actor: Everyone,
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
) -> Response:
    """The entries as CSV, in the import's columns plus ``id`` and ``corrects``; ``reason`` holds
    why a correction (or an entry added after publication) was made."""
    text = export_csv(session, month=month, building_ids=actor.building_ids)
    name = f"ledger-{month or 'all'}.csv"
    return Response(
        "\ufeff" + text,  # Excel opens UTF-8 with a BOM correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/ledger/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def import_entries(request: Request, admin: AdminActor) -> dict[str, Any]:
    """Body: the CSV itself (UTF-8, or GB18030 / UTF-16 as Excel saves it; header
    month,kind,item,amount_yuan,note,building,account,reason; ``reason`` is required for a month
    already published). Nothing is imported unless every line is
    good; the same file twice, or rows already on the books, are refused (409)."""
    try:
        text = decode(await request.body())
    except CsvEncodingError as exc:
        raise HTTPException(422, detail={"reason": "invalid", "problems": exc.problems}) from exc
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
                detail = {"reason": exc.reason, "problems": exc.problems}
                finish_operation(session, operation_id=operation.id, ok=False, now=now, detail=detail)
            raise _refused(exc, operation_id=operation.id) from exc
    return {"operation_id": operation.id, "imported": len(stored)}


def figures_json(figures: Figures) -> list[dict[str, Any]]:
    """The computed figures per account (fen), as every text shows them."""
    return [
        {
            "account": a.name,
            "opening_fen": a.opening,
            "income_fen": a.total.income,
            "expense_fen": a.total.expense,
            "closing_fen": a.closing,
            "community": {"income_fen": a.community.income, "expense_fen": a.community.expense},
            "buildings": {
                figures.labels.get(b, str(b)): {"income_fen": f.income, "expense_fen": f.expense}
                for b, f in a.buildings.items()
            },
        }
        for a in figures.accounts
    ]


def _summary(
    session: Session, actor: Actor, period: str, building: str | None, *, yearly: bool
) -> dict[str, Any]:
    building_id = None
    if building:
        found = session.exec(select(Building).where(Building.number == building.upper())).first()
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"building {building} not found")
        in_scope(actor, found.id, f"building {building}")
        building_id = found.id
    figures = compute(session, period=period, yearly=yearly)
    if figures.empty:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no ledger entries for {period}")
    last = publication(session, period)
    return {
        "period": period,
        "text": render(session, figures, building_id=building_id),
        "figures": figures_json(figures),
        "published": last.number if last else 0,
        "changed_since_publication": bool(last and last.snapshot != figures.snapshot()),
    }


@router.get("/ledger/{month}/summary")
def month_summary(
    month: Month, session: ReadSessionDep, actor: Everyone, building: Key | None = None
) -> dict[str, Any]:
    """The month's text (a building's with ``building``) and the figures behind it."""
    return {"month": month, **_summary(session, actor, month, building, yearly=False)}


@router.get("/ledger/years/{year}/summary")
def year_summary(
    year: Year, session: ReadSessionDep, actor: Everyone, building: Key | None = None
) -> dict[str, Any]:
    """The yearly disclosure of the accounts published yearly."""
    return {"year": year, **_summary(session, actor, year, building, yearly=True)}


@router.post("/ledger/{month}/publish")
def publish(month: Month, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    """Push the month's 三公开 to every building group and freeze the month; again only when a
    correction changed it (the new text says what changed)."""
    try:
        with session.begin():
            pushes = publish_month(session, month=month, now=now, by=admin.tag)
            last = publication(session, month)
            audit(
                session,
                actor=admin,
                action="ledger.publish",
                now=now,
                target=f"ledger:{month}",
                pushes=pushes,
            )
    except LedgerError as exc:
        raise _publish_refused(exc, month) from exc
    return {"month": month, "pushes": pushes, "publication": last.number if last else 0}


@router.post("/ledger/years/{year}/publish")
def publish_yearly(year: Year, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    """Push the year's disclosure of the accounts published yearly (the scheduler does it in January)."""
    try:
        with session.begin():
            pushes = publish_year(session, year=year, now=now, by=admin.tag)
            last = publication(session, year)
            audit(
                session, actor=admin, action="ledger.publish", now=now, target=f"ledger:{year}", pushes=pushes
            )
    except LedgerError as exc:
        raise _publish_refused(exc, year) from exc
    return {"year": year, "pushes": pushes, "publication": last.number if last else 0}
