"""三公开 in the console: accounts, entries, corrections, CSV upload (all-or-nothing, never twice), publication."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Request, UploadFile, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, back, page, require_admin
from bot.web.confirm import Confirmed, ask
from bot.web.decisions import ledger_question
from bot.web.errors import in_words
from bot.web.fields import Line, Text
from models.access import Actor, audit
from models.base import MAX_INT, month_of
from models.community import Building
from models.csvfile import CsvEncodingError, decode
from models.ledger import (
    MONTH_PATTERN,
    EntryInput,
    LedgerEntry,
    LedgerError,
    LedgerKind,
    add_entries,
    correct_entry,
    parse_yuan,
    publication,
    yuan,
)
from models.ledger_accounts import accounts
from models.ledger_figures import balances, compute, render
from models.ledger_import import CSV_COLUMNS, import_csv
from models.ledger_publish import publish_month

router = APIRouter(prefix="/console", include_in_schema=False)
KIND = {LedgerKind.income: "收入", LedgerKind.expense: "支出"}
HEADINGS = {
    "duplicate": "这份文件已经导入过，没有写入任何内容：",
    "overlap": "文件中有与已入账记录重复的行，没有写入任何内容。请删去这些行后重新上传：",
    "frozen": "文件涉及已公布的月份，没有写入任何内容。已公布的月份只能逐条更正：",
}


def _status(session: Session, month: str) -> str:
    last = publication(session, month)
    if last is None:
        return "尚未公布（公布后本月冻结，只能更正）。"
    changed = last.snapshot != compute(session, period=month).snapshot()
    when = f"已于 {last.published_at:%Y-%m-%d} 第{last.number}次公布，本月已冻结。"
    return when + ("之后有更正，尚未重新公布。" if changed else "")


def entry_rows(session: Session, month: str, money: Callable[[int], Any] = yuan) -> list[tuple[Any, ...]]:
    """The month's entries as the page lists them: id, account, 收/支, item, amount, note, scope,
    correction, and whether it can still be corrected (corrections cannot); ``money`` writes
    the amount (「123.45元」 on the page, a number in the .xlsx)."""
    numbers = {b.id: b.label for b in session.exec(select(Building))}
    names = {a.id: a.name for a in accounts(session)}
    entries = session.exec(
        select(LedgerEntry).where(LedgerEntry.month == month).order_by(col(LedgerEntry.id))
    ).all()
    return [
        (
            e.id,
            names.get(e.account_id, ""),
            KIND.get(e.kind, e.kind),
            e.item,
            money(e.amount_fen),
            e.note,
            numbers.get(e.building_id, "全小区"),
            (f"更正 #{e.corrects_id}：" if e.corrects_id else "补录：" if e.reason else "") + e.reason,
            e.corrects_id is None,
        )
        for e in entries
    ]


def _ledger_page(
    request: Request,
    session: Session,
    actor: Actor,
    month: str,
    problems: list[str] | None = None,
    heading: str = "",
) -> HTMLResponse:
    figures = compute(session, period=month)
    now = balances(session)
    return page(
        request,
        "ledger.html",
        actor,
        session,
        month=month,
        accounts=[
            (a.name, yuan(a.opening_fen), yuan(now[a.name]), "每月" + ("、每年" if a.yearly else ""))
            for a in accounts(session)
        ],
        rows=entry_rows(session, month),
        summary=None if figures.empty else render(session, figures),
        status=_status(session, month) if not figures.empty else "",
        account_names=[a.name for a in accounts(session)],
        buildings=[b.number for b in session.exec(select(Building).order_by(col(Building.id)))],
        columns=",".join(CSV_COLUMNS),
        problems=problems or [],
        heading=heading or "文件有问题，没有导入任何内容。请改正以下各行后重新上传：",
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
    month: Line,
    kind: Line,
    item: Line,
    amount: Line,
    note: Text = "",
    building: Line = "",
    account: Line = "",
    reason: Text = "",
) -> Response:
    require_admin(actor)
    path = f"/console/ledger?month={month}"
    try:
        entry = EntryInput(
            month, kind, item, parse_yuan(amount), note, building or None, account or None, reason
        )
        with session.begin():
            stored = add_entries(session, items=[entry], created_by=actor.tag, now=now)
            ids = [e.id for e in stored]
            audit(session, actor=actor, action="ledger.add", now=now, target="ledger", ids=ids)
    except LedgerError as exc:
        return back(path, error="没有保存：" + "；".join(exc.problems))
    except ValueError as exc:
        return back(path, error=f"金额有误：{in_words(exc)}")
    return back(path, ok=f"已记入 {month}：{item} {amount} 元。")


@router.post("/ledger/entries/{entry_id}/correct")
def correct(
    entry_id: Annotated[int, Path(gt=0, le=MAX_INT)],
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    month: Line,
    amount: Line,
    reason: Text = "",
) -> Response:
    require_admin(actor)
    path = f"/console/ledger?month={month}"
    try:
        fen = 0 if amount.strip() in ("0", "0.00") else parse_yuan(amount)
        with session.begin():
            fix = correct_entry(
                session, entry_id=entry_id, amount_fen=fen, reason=reason, actor=actor, now=now
            )
    except LedgerError as exc:
        return back(path, error="没有更正：" + "；".join(exc.problems))
    except ValueError as exc:
        return back(path, error=f"金额有误：{in_words(exc)}")
    return back(path, ok=f"已更正 #{entry_id}：另记差额 {yuan(fix.amount_fen)}，原记录保留。")


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
        reason = getattr(exc, "reason", "invalid")
        response = _ledger_page(
            request, session, actor, month_of(now), exc.problems, HEADINGS.get(reason, "")
        )
        response.status_code = (
            status.HTTP_409_CONFLICT if reason in HEADINGS else status.HTTP_422_UNPROCESSABLE_CONTENT
        )
        return response
    months = sorted({e.month for e in stored})
    return back(
        f"/console/ledger?month={months[-1]}", ok=f"已导入 {len(stored)} 条收支（{'、'.join(months)}）。"
    )


@router.post("/ledger/{month}/publish")
def publish(
    request: Request,
    month: Annotated[str, Path(pattern=MONTH_PATTERN)],
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    confirmed: Confirmed = "",
) -> Response:
    require_admin(actor)
    with session.begin():
        question = ledger_question(session, month=month)
    if confirmed != question.expected:
        back_to = f"/console/ledger?month={month}"
        return ask(
            request, actor, session, question, action=f"/console/ledger/{month}/publish", back_to=back_to
        )
    try:
        with session.begin():
            pushes = publish_month(session, month=month, now=now, by=actor.tag)
            audit(
                session,
                actor=actor,
                action="ledger.publish",
                now=now,
                target=f"ledger:{month}",
                pushes=pushes,
            )
    except LedgerError as exc:
        return back(f"/console/ledger?month={month}", error="；".join(exc.problems))
    message = (
        f"{month} 收支已推送到 {pushes} 个楼栋群。"
        if pushes
        else f"{month} 自上次公布以来没有变化，没有再次推送。"
    )
    return back(f"/console/ledger?month={month}", ok=message)
