"""三公开 CSV import: all-or-nothing, and never the same rows twice.

Each imported file is remembered per (account, month) by a hash of its rows in a canonical
form, so uploading the same file again is refused by name. A different file whose rows are
already on the books (or that repeats a row) is refused too, naming each such line: the office
fixes the file rather than the ledger doubling silently.

The columns are those of :func:`export_csv` too: ``reason`` says why an entry was added after
the month was published (required then) or why a correction was made; an exported correction
names the entry it corrects (``corrects``), and such a row is made with a correction, not an
import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import utc_field
from models.community import Building
from models.csvfile import readable
from models.ledger import (
    EntryInput,
    LedgerEntry,
    LedgerError,
    check,
    month_label,
    parse_yuan,
    raise_problems,
    yuan,
)
from models.ledger_accounts import LedgerAccount

CSV_COLUMNS = ("month", "kind", "item", "amount_yuan", "note", "building", "account", "reason")
EXPORT_COLUMNS = ("id", *CSV_COLUMNS, "corrects")

Row = tuple[str, str, str, int, str, int | None]  # account, kind, item, fen, note, building (month apart)


class LedgerImport(SQLModel, table=True):
    """One (account, month) part of an imported file, by the hash of its rows."""

    __tablename__ = "ledger_import"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("account_id", "month", "digest"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="ledger_account.id", index=True)
    month: str = Field(max_length=7)
    digest: str = Field(max_length=64)
    rows: int = 0
    created_by: str = ""
    created_at: datetime = utc_field()


def parse_csv(text: str) -> tuple[list[tuple[str, EntryInput]], list[str]]:
    """Rows of a ledger CSV (header: month,kind,item,amount_yuan[,note,building,account,reason])
    and problems."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    rows: list[tuple[str, EntryInput]] = []
    problems: list[str] = []
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        return [], [f"第1行（表头）无法按 CSV 读取（{exc}）"]
    missing = [c for c in CSV_COLUMNS[:4] if c not in fieldnames]
    if missing:
        return [], [f"第1行（表头）缺少列：{', '.join(missing)}；表头应为 {','.join(CSV_COLUMNS)}"]
    for row in readable(reader, reader.reader, problems):
        where = f"第{reader.line_num}行"
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if (row.get("corrects") or "").strip():
            problems.append(
                f"{where}：这是对第 {row['corrects'].strip()} 条的更正，请用「更正」功能录入，不能导入"
            )
            continue
        try:
            amount = parse_yuan(row.get("amount_yuan") or "")
        except ValueError as exc:
            problems.append(f"{where}：{exc}")
            continue
        rows.append(
            (
                where,
                EntryInput(
                    month=row.get("month") or "",
                    kind=row.get("kind") or "",
                    item=row.get("item") or "",
                    amount_fen=amount,
                    note=row.get("note") or "",
                    building=(row.get("building") or "").strip() or None,
                    account=(row.get("account") or "").strip() or None,
                    reason=(row.get("reason") or "").strip(),
                ),
            )
        )
    return rows, problems


def _key(entry: LedgerEntry) -> tuple[int, str, str, str, int, str, int | None]:
    return (
        entry.account_id,
        entry.month,
        entry.kind.value,
        entry.item,
        entry.amount_fen,
        entry.note,
        entry.building_id,
    )


def _digest(entries: list[LedgerEntry]) -> str:
    lines = sorted("\x1f".join(str(part) for part in _key(e)[2:]) for e in entries)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _describe(session: Session, entry: LedgerEntry) -> str:
    account = session.get(LedgerAccount, entry.account_id)
    building = session.get(Building, entry.building_id) if entry.building_id else None
    where = f"，{building.label}" if building else ""
    word = "收入" if entry.kind == "income" else "支出"
    return f"{entry.month}「{account.name if account else ''}」{word} {entry.item} {yuan(entry.amount_fen)}{where}"


def _refuse_repeats(session: Session, wheres: list[str], entries: list[LedgerEntry]) -> None:
    """A part imported before → ``duplicate``; rows on the books or twice in the file → ``overlap``."""
    parts: dict[tuple[int, str], list[LedgerEntry]] = {}
    for entry in entries:
        parts.setdefault((entry.account_id, entry.month), []).append(entry)
    seen = []
    for (account_id, month), part in parts.items():
        earlier = session.exec(
            select(LedgerImport).where(
                LedgerImport.account_id == account_id,
                LedgerImport.month == month,
                LedgerImport.digest == _digest(part),
            )
        ).first()
        if earlier is not None:
            account = session.get(LedgerAccount, account_id)
            seen.append(
                f"{month_label(month)}「{account.name if account else ''}」的 {len(part)} 条已于 "
                f"{earlier.created_at:%Y-%m-%d %H:%M} 由 {earlier.created_by or '管理员'} 导入过（同一份文件）"
            )
    if seen:
        raise LedgerError([*seen, "这次没有写入任何数据；如需更正，请对原记录做更正。"], reason="duplicate")
    stored = Counter(
        _key(e)
        for e in session.exec(
            select(LedgerEntry).where(
                col(LedgerEntry.corrects_id).is_(None),
                col(LedgerEntry.month).in_({m for _, m in parts}),
            )
        )
    )
    first_line: dict[tuple[int, str, str, str, int, str, int | None], str] = {}
    problems = []
    for where, entry in zip(wheres, entries, strict=True):
        key = _key(entry)
        if stored[key] > 0:
            stored[key] -= 1
            problems.append(f"{where}：与已入账的记录相同（{_describe(session, entry)}）")
        elif key in first_line:
            problems.append(f"{where}：与{first_line[key]}完全相同；如确是两笔，请在备注中区分")
        else:
            first_line[key] = where
    if problems:
        raise LedgerError([*problems, "这次没有写入任何数据。"], reason="overlap")


def import_csv(session: Session, *, text: str, created_by: str, now: datetime) -> list[LedgerEntry]:
    """Import a ledger CSV all-or-nothing; :class:`LedgerError` names every bad or repeated line."""
    rows, problems = parse_csv(text)
    checked = check(session, rows, created_by=created_by, now=now)
    checked.problems = sorted([*problems, *checked.problems], key=_line_number)
    raise_problems(checked)
    if not checked.entries:
        raise LedgerError(["文件里没有任何收支记录"])
    _refuse_repeats(session, [where for where, _ in rows], checked.entries)
    parts: dict[tuple[int, str], list[LedgerEntry]] = {}
    for entry in checked.entries:
        parts.setdefault((entry.account_id, entry.month), []).append(entry)
    for (account_id, month), part in parts.items():
        session.add(
            LedgerImport(
                account_id=account_id,
                month=month,
                digest=_digest(part),
                rows=len(part),
                created_by=created_by,
                created_at=now,
            )
        )
    session.add_all(checked.entries)
    session.flush()
    return checked.entries


def _line_number(problem: str) -> int:
    found = re.match(r"第(\d+)行", problem)
    return int(found.group(1)) if found else 0


def export_csv(
    session: Session, *, month: str | None = None, building_ids: frozenset[int] | None = None
) -> str:
    """The entries (a month's, or all) as CSV in the import's columns, with each entry's id, the
    reason of a correction or late entry, and what a correction corrects; amounts in yuan, a
    correction's signed. ``building_ids``: community-wide entries and those buildings' only."""
    query = select(LedgerEntry).order_by(col(LedgerEntry.id))
    if month:
        query = query.where(LedgerEntry.month == month)
    accounts = {a.id: a.name for a in session.exec(select(LedgerAccount))}
    buildings = {b.id: b.number for b in session.exec(select(Building))}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for entry in session.exec(query):
        if (
            building_ids is not None
            and entry.building_id is not None
            and entry.building_id not in building_ids
        ):
            continue
        writer.writerow(
            (
                entry.id,
                entry.month,
                "收入" if entry.kind == "income" else "支出",
                entry.item,
                yuan(entry.amount_fen).removesuffix("元").replace(",", ""),
                entry.note,
                buildings.get(entry.building_id, "") if entry.building_id else "",
                accounts.get(entry.account_id, ""),
                entry.reason,
                entry.corrects_id or "",
            )
        )
    return out.getvalue()
