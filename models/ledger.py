"""三公开: the monthly ledger of public income and maintenance-fund use, published to every building.

Amounts are integer fen. An entry may concern one building (its group and residents see it
together with the community-wide entries). A CSV import is all-or-nothing: one bad line and
nothing is written, and the report names every bad line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import MAX_INT, enum_field, utc_field
from models.community import Building, default_community
from models.csvfile import readable
from models.fanout import Target, enqueue_many

MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"  # a real month: 2000-01 .. 2099-12
MONTH = re.compile(MONTH_PATTERN)
KIND_WORDS = {"income": "income", "收入": "income", "expense": "expense", "支出": "expense"}
CSV_COLUMNS = ("month", "kind", "item", "amount_yuan", "note", "building")
MAX_NOTE = 500
MAX_AMOUNT_FEN = MAX_INT  # amount_fen is an INTEGER column: 21,474,836.47 元 at most per entry


class LedgerKind(StrEnum):
    income = "income"
    expense = "expense"


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entry"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(index=True, max_length=7)  # "2026-11"
    kind: LedgerKind = enum_field(LedgerKind, LedgerKind.income)
    item: str = Field(max_length=60)  # 停车费 / 广告收入 / 维修资金使用 ...
    amount_fen: int
    note: str = ""
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    created_by: str = ""
    created_at: datetime = utc_field()


class LedgerError(ValueError):
    """Entries that cannot be stored; ``problems`` lists each one (with its CSV line when imported)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class EntryInput:
    month: str
    kind: str
    item: str
    amount_fen: int
    note: str = ""
    building: str | None = None


@dataclass
class _Checked:
    entries: list[LedgerEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_yuan(text: str) -> int:
    """「1,234.5」 → 123450 fen; raises ValueError for anything else (negative, 3 decimals, words)."""
    cleaned = text.strip().replace(",", "").replace("，", "").removesuffix("元")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise ValueError(f"金额「{text[:20]}」不是数字")
    if value <= 0:
        raise ValueError(f"金额「{text[:20]}」必须大于 0")
    if value > Decimal(MAX_AMOUNT_FEN).scaleb(-2):  # before any arithmetic: 「1e999999999」 overflows
        raise ValueError(f"金额「{text[:20]}」太大：每笔不能超过 {yuan(MAX_AMOUNT_FEN)}")
    fen = value.scaleb(2)
    if fen != fen.to_integral_value() or fen < 1:
        raise ValueError(f"金额「{text[:20]}」最多两位小数")
    return int(fen)


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}元"


def _check(
    session: Session, items: list[tuple[str, EntryInput]], *, created_by: str, now: datetime
) -> _Checked:
    buildings = {b.number: b.id for b in session.exec(select(Building))}
    checked = _Checked()
    for where, item in items:
        problems = []
        if not MONTH.fullmatch(item.month.strip()):
            problems.append(f"月份「{item.month}」应写成 2026-11 这样")
        kind = KIND_WORDS.get(item.kind.strip().lower())
        if kind is None:
            problems.append(f"类别「{item.kind}」应为 收入/支出（income/expense）")
        if not item.item.strip() or len(item.item.strip()) > 60:
            problems.append("项目名称不能为空，且不超过 60 字")
        if len(item.note.strip()) > MAX_NOTE:
            problems.append(f"备注不超过 {MAX_NOTE} 字")
        if item.amount_fen <= 0:
            problems.append("金额必须大于 0")
        elif item.amount_fen > MAX_AMOUNT_FEN:
            problems.append(f"金额太大：每笔不能超过 {yuan(MAX_AMOUNT_FEN)}")
        building_id = None
        if item.building:
            building_id = buildings.get(item.building.strip().upper())
            if building_id is None:
                problems.append(f"没有「{item.building}」栋")
        if problems:
            checked.problems.append(f"{where}：" + "；".join(problems) if where else "；".join(problems))
            continue
        checked.entries.append(
            LedgerEntry(
                month=item.month.strip(),
                kind=LedgerKind(kind),
                item=item.item.strip(),
                amount_fen=item.amount_fen,
                note=item.note.strip(),
                building_id=building_id,
                created_by=created_by,
                created_at=now,
            )
        )
    return checked


def add_entries(
    session: Session, *, items: list[EntryInput], created_by: str, now: datetime
) -> list[LedgerEntry]:
    """Store entries (all or none); raise :class:`LedgerError` listing what is wrong."""
    numbered = [(f"第{i}条" if len(items) > 1 else "", item) for i, item in enumerate(items, 1)]
    checked = _check(session, numbered, created_by=created_by, now=now)
    if checked.problems:
        raise LedgerError(checked.problems)
    session.add_all(checked.entries)
    session.flush()
    return checked.entries


def parse_csv(text: str) -> tuple[list[tuple[str, EntryInput]], list[str]]:
    """Rows of a ledger CSV (header: month,kind,item,amount_yuan,note,building) and per-line problems."""
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
                ),
            )
        )
    return rows, problems


def import_csv(session: Session, *, text: str, created_by: str, now: datetime) -> list[LedgerEntry]:
    """Import a ledger CSV all-or-nothing; :class:`LedgerError` names every bad line."""
    rows, problems = parse_csv(text)
    checked = _check(session, rows, created_by=created_by, now=now)
    problems = sorted([*problems, *checked.problems], key=_line_number)
    if problems:
        raise LedgerError(problems)
    if not checked.entries:
        raise LedgerError(["文件里没有任何收支记录"])
    session.add_all(checked.entries)
    session.flush()
    return checked.entries


def _line_number(problem: str) -> int:
    found = re.match(r"第(\d+)行", problem)
    return int(found.group(1)) if found else 0


def entries_for(session: Session, *, month: str, building_id: int | None = None) -> list[LedgerEntry]:
    """The month's community-wide entries, plus one building's own when ``building_id`` is given."""
    scope = col(LedgerEntry.building_id).is_(None)
    if building_id is not None:
        scope = or_(scope, col(LedgerEntry.building_id) == building_id)
    query = select(LedgerEntry).where(col(LedgerEntry.month) == month, scope).order_by(col(LedgerEntry.id))
    return list(session.exec(query).all())


def summary_text(session: Session, *, month: str, building_id: int | None = None) -> str | None:
    """The 三公开 text for a month (None when nothing was entered)."""
    entries = entries_for(session, month=month, building_id=building_id)
    if not entries:
        return None
    labels = {b.id: b.label for b in session.exec(select(Building))}
    community = default_community(session)
    name = community.name if community else "本社区"
    lines = [f"【{name} {int(month[:4])}年{int(month[5:])}月收支公开】"]
    totals = {}
    for kind, word in ((LedgerKind.income, "收入"), (LedgerKind.expense, "支出")):
        rows = [e for e in entries if e.kind == kind]
        totals[kind] = sum(e.amount_fen for e in rows)
        lines.append(f"{word}合计 {yuan(totals[kind])}")
        for e in rows:
            where = f"（{labels.get(e.building_id, '')}）" if e.building_id else ""
            note = f"，{e.note}" if e.note else ""
            lines.append(f"· {e.item}{where} {yuan(e.amount_fen)}{note}")
    balance = totals[LedgerKind.income] - totals[LedgerKind.expense]
    lines.append(f"结余 {'-' if balance < 0 else ''}{yuan(abs(balance))}")
    lines.append("如有疑问，欢迎到社区或物业服务中心查阅凭证。")
    return "\n".join(lines)


def publish_month(session: Session, *, month: str, now: datetime) -> int:
    """Push the month's ledger to every building group once; return how many pushes were new."""
    if not MONTH.fullmatch(month):
        raise LedgerError([f"月份「{month[:20]}」应写成 2026-11 这样"])
    targets: list[tuple[Target, str]] = []
    for building in session.exec(select(Building).order_by(col(Building.id))):
        text = summary_text(session, month=month, building_id=building.id)
        if text is not None:
            targets.append((Target(f"ledger:{month}:building:{building.id}", building_id=building.id), text))
    return sum(
        enqueue_many(session, [target], kind="ledger", text=text, now=now, payload={"month": month})
        for target, text in targets
    )
