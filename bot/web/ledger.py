"""三公开 in the console: add income and expense entries, upload a CSV (all-or-nothing), monthly summary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, back, page, require_admin
from models.access import Actor, audit
from models.base import month_of
from models.community import Building
from models.csvfile import CsvEncodingError, decode
from models.ledger import (
    CSV_COLUMNS,
    MONTH_PATTERN,
    EntryInput,
    LedgerEntry,
    LedgerError,
    LedgerKind,
    add_entries,
    import_csv,
    parse_yuan,
    publish_month,
    summary_text,
    yuan,
)

router = APIRouter(prefix="/console", include_in_schema=False)
KIND = {LedgerKind.income: "收入", LedgerKind.expense: "支出"}


def _ledger_page(
    request: Request, session: Session, actor: Actor, month: str, problems: list[str] | None = None
) -> HTMLResponse:
    numbers = {b.id: b.label for b in session.exec(select(Building))}
    entries = session.exec(
        select(LedgerEntry).where(LedgerEntry.month == month).order_by(col(LedgerEntry.id))
    ).all()
    return page(
        request,
        "ledger.html",
        actor,
        session,
        month=month,
        rows=[
            (
                KIND.get(e.kind, e.kind),
                e.item,
                yuan(e.amount_fen),
                e.note,
                numbers.get(e.building_id, "全小区"),
            )
            for e in entries
        ],
        summary=summary_text(session, month=month),
        buildings=[b.number for b in session.exec(select(Building).order_by(col(Building.id)))],
        columns=",".join(CSV_COLUMNS),
        problems=problems or [],
    )


@router.get("/ledger", response_class=HTMLResponse)
def ledger(
    request: Request, session: SessionDep, actor: OfficeDep, now: NowDep, month: str = ""
) -> HTMLResponse:
    return _ledger_page(request, session, actor, month or month_of(now))


@router.post("/ledger")
def add(
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    month: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    item: Annotated[str, Form()],
    amount: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    building: Annotated[str, Form()] = "",
) -> Response:
    require_admin(actor)
    path = f"/console/ledger?month={month}"
    try:
        entry = EntryInput(month, kind, item, parse_yuan(amount), note, building or None)
        with session.begin():
            stored = add_entries(session, items=[entry], created_by=actor.tag, now=now)
            audit(
                session,
                actor=actor,
                action="ledger.add",
                now=now,
                target="ledger",
                ids=[e.id for e in stored],
            )
    except LedgerError as exc:
        return back(path, error="没有保存：" + "；".join(exc.problems))
    except ValueError as exc:
        return back(path, error=f"金额有误：{exc}")
    return back(path, ok=f"已记入 {month}：{item} {amount} 元。")


@router.post("/ledger/import", response_class=HTMLResponse)
def upload(
    request: Request, session: SessionDep, actor: OfficeDep, now: NowDep, file: Annotated[UploadFile, File()]
) -> Response:
    require_admin(actor)
    try:
        text = decode(file.file.read())
        with session.begin():
            stored = import_csv(session, text=text, created_by=actor.tag, now=now)
            audit(session, actor=actor, action="ledger.import", now=now, target="ledger", rows=len(stored))
    except (LedgerError, CsvEncodingError) as exc:
        response = _ledger_page(request, session, actor, month_of(now), exc.problems)
        response.status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
        return response
    months = sorted({e.month for e in stored})
    return back(
        f"/console/ledger?month={months[-1]}", ok=f"已导入 {len(stored)} 条收支（{'、'.join(months)}）。"
    )


@router.post("/ledger/{month}/publish")
def publish(
    month: Annotated[str, Path(pattern=MONTH_PATTERN)], session: SessionDep, actor: OfficeDep, now: NowDep
) -> Response:
    require_admin(actor)
    with session.begin():
        pushes = publish_month(session, month=month, now=now)
        audit(session, actor=actor, action="ledger.publish", now=now, target=f"ledger:{month}", pushes=pushes)
    return back(f"/console/ledger?month={month}", ok=f"{month} 收支已推送到 {pushes} 个楼栋群。")
