"""三公开 entries: income and expense in named accounts, for the community or one building.

Amounts are integer fen. Entries are append-only: a mistake is fixed by a compensating entry
(``corrects_id`` and a reason), never by changing or deleting a row, so the original stays on
the record. A published month is frozen: only corrections (with a reason) may still be added.
Figures are computed in :mod:`models.ledger_figures`, publication is :mod:`models.ledger_publish`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.access import Actor, audit
from models.actors import Someone
from models.base import MAX_INT, enum_field, json_field, utc_field
from models.community import Building
from models.ledger_accounts import LedgerAccount, ensure_accounts

MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"  # a real month: 2000-01 .. 2099-12
MONTH = re.compile(MONTH_PATTERN)
KIND_WORDS = {"income": "income", "收入": "income", "expense": "expense", "支出": "expense"}
MAX_NOTE = 500
MAX_REASON = 200
MAX_AMOUNT_FEN = MAX_INT  # amount_fen is an INTEGER column: 21,474,836.47 元 at most per entry


class LedgerKind(StrEnum):
    income = "income"
    expense = "expense"


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entry"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="ledger_account.id", index=True)
    month: str = Field(index=True, max_length=7)  # "2026-11"
    kind: LedgerKind = enum_field(LedgerKind, LedgerKind.income)
    item: str = Field(max_length=60)  # 停车费 / 广告收入 / 维修资金使用 ...
    amount_fen: int  # > 0; a correction's is the signed difference it makes
    note: str = ""
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    corrects_id: int | None = Field(default=None, foreign_key="ledger_entry.id", index=True)
    reason: str = ""  # why a correction (or an entry added after publication) was made
    created_by: str = ""
    created_at: datetime = utc_field()


class LedgerPublication(SQLModel, table=True):
    """One publication of a period ("2026-11", or "2026" for a yearly disclosure): what it said."""

    __tablename__ = "ledger_publication"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("period", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(index=True, max_length=7)
    number: int = 1  # 1 for the first publication, 2 for the next, ...
    snapshot: dict[str, Any] = json_field()  # figures as published (for 「与上次公布相比」)
    text: str = ""  # the community-wide text as published
    published_by: str = ""
    published_at: datetime = utc_field()


class LedgerError(ValueError):
    """Entries that cannot be stored; ``problems`` lists each one (with its CSV line when imported).

    ``reason``: ``invalid`` (the input is wrong), ``frozen`` (the month is published),
    ``duplicate`` (this file was imported before), ``overlap`` (rows already on the books) or
    ``conflict`` (the same publication was made by a simultaneous request).
    """

    def __init__(self, problems: list[str], reason: str = "invalid") -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.reason = reason


@dataclass
class EntryInput:
    month: str
    kind: str
    item: str
    amount_fen: int
    note: str = ""
    building: str | None = None
    account: str | None = None  # account name; the default account when empty
    reason: str = ""  # required once the month is published


@dataclass
class Checked:
    entries: list[LedgerEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    frozen: list[str] = field(default_factory=list)


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
    """12345 → 「123.45元」; a negative amount keeps its sign (「-5.00元」)."""
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}元"


def month_label(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:])}月"


def publication(session: Session, period: str) -> LedgerPublication | None:
    """The latest publication of a period, if any."""
    query = (
        select(LedgerPublication)
        .where(LedgerPublication.period == period)
        .order_by(col(LedgerPublication.number).desc())
    )
    return session.exec(query).first()


def frozen_by(session: Session, account: LedgerAccount, month: str) -> LedgerPublication | None:
    """The publication that froze this account's month, if one did."""
    monthly = publication(session, month) if account.monthly else None
    return monthly or (publication(session, month[:4]) if account.yearly else None)


def check(
    session: Session, items: list[tuple[str, EntryInput]], *, created_by: str, now: datetime
) -> Checked:
    """New entries from the inputs, and every problem (``frozen`` lists months already published)."""
    buildings = {b.number: b.id for b in session.exec(select(Building))}
    books = ensure_accounts(session)
    by_name = {a.name: a for a in books}
    checked = Checked()
    frozen: dict[tuple[int | None, str], str] = {}
    for where, item in items:
        problems = []
        month = item.month.strip()
        if not MONTH.fullmatch(month):
            problems.append(f"月份「{item.month}」应写成 2026-11 这样")
        kind = KIND_WORDS.get(item.kind.strip().lower())
        if kind is None:
            problems.append(f"类别「{item.kind}」应为 收入/支出（income/expense）")
        if not item.item.strip() or len(item.item.strip()) > 60:
            problems.append("项目名称不能为空，且不超过 60 字")
        if len(item.note.strip()) > MAX_NOTE:
            problems.append(f"备注不超过 {MAX_NOTE} 字")
        if len(item.reason.strip()) > MAX_REASON:
            problems.append(f"更正原因不超过 {MAX_REASON} 字")
        if item.amount_fen <= 0:
            problems.append("金额必须大于 0")
        elif item.amount_fen > MAX_AMOUNT_FEN:
            problems.append(f"金额太大：每笔不能超过 {yuan(MAX_AMOUNT_FEN)}")
        account = by_name.get((item.account or "").strip()) if (item.account or "").strip() else books[0]
        if account is None:
            names = "、".join(by_name)
            problems.append(f"没有「{item.account}」这个账目（可选：{names}）")
        building_id = None
        if item.building:
            building_id = buildings.get(item.building.strip().upper())
            if building_id is None:
                problems.append(f"没有「{item.building}」栋")
        prefix = f"{where}：" if where else ""
        if problems:
            checked.problems.append(prefix + "；".join(problems))
            continue
        assert account is not None and account.id is not None
        if (account.id, month) not in frozen:
            frozen[(account.id, month)] = _frozen_sentence(session, account, month)
        if not item.reason.strip() and frozen[(account.id, month)]:
            checked.frozen.append(prefix + frozen[(account.id, month)])
            continue
        checked.entries.append(
            LedgerEntry(
                account_id=account.id,
                month=month,
                kind=LedgerKind(kind),
                item=item.item.strip(),
                amount_fen=item.amount_fen,
                note=item.note.strip(),
                building_id=building_id,
                reason=item.reason.strip(),
                created_by=created_by,
                created_at=now,
            )
        )
    return checked


def _frozen_sentence(session: Session, account: LedgerAccount, month: str) -> str:
    found = frozen_by(session, account, month)
    if found is None:
        return ""
    return (
        f"{month_label(month)}「{account.name}」已于 {found.published_at:%Y-%m-%d} 公布，已冻结："
        "只能做更正，请写明更正原因"
    )


def raise_problems(checked: Checked) -> None:
    if checked.problems:
        raise LedgerError(checked.problems)
    if checked.frozen:
        raise LedgerError(checked.frozen, reason="frozen")


def add_entries(
    session: Session, *, items: list[EntryInput], created_by: str, now: datetime
) -> list[LedgerEntry]:
    """Store entries (all or none); raise :class:`LedgerError` listing what is wrong."""
    numbered = [(f"第{i}条" if len(items) > 1 else "", item) for i, item in enumerate(items, 1)]
    checked = check(session, numbered, created_by=created_by, now=now)
    raise_problems(checked)
    session.add_all(checked.entries)
    session.flush()
    return checked.entries


def effective_amount(session: Session, entry: LedgerEntry) -> int:
    """An entry's amount with its corrections applied."""
    deltas = session.exec(select(LedgerEntry.amount_fen).where(LedgerEntry.corrects_id == entry.id))
    return entry.amount_fen + sum(deltas)


def correct_entry(
    session: Session, *, entry_id: int, amount_fen: int, reason: str, actor: Actor | Someone, now: datetime
) -> LedgerEntry:
    """Book a compensating entry so that entry ``entry_id`` counts ``amount_fen`` (0 cancels it).

    The original row stays as it was; the correction carries the difference and the reason, and
    is allowed in a published month (the next publication says what changed). Audited here
    (``ledger.correct``), whichever front end asked.
    """
    original = session.get(LedgerEntry, entry_id) if 0 < entry_id <= MAX_INT else None
    if original is None:
        raise LedgerError([f"没有编号为 {entry_id} 的收支记录"], reason="not_found")
    if original.corrects_id is not None:
        raise LedgerError([f"#{entry_id} 本身是一条更正：请更正原记录 #{original.corrects_id}"])
    problems = []
    if not reason.strip() or len(reason.strip()) > MAX_REASON:
        problems.append(f"请写明更正原因（不超过 {MAX_REASON} 字）")
    if amount_fen < 0 or amount_fen > MAX_AMOUNT_FEN:
        problems.append(f"更正后的金额应在 0 到 {yuan(MAX_AMOUNT_FEN)} 之间（0 表示作废）")
    current = effective_amount(session, original)
    if not problems and amount_fen == current:
        problems.append(f"#{entry_id} 现在就是 {yuan(current)}，不需要更正")
    if problems:
        raise LedgerError(problems)
    correction = LedgerEntry(
        account_id=original.account_id,
        month=original.month,
        kind=original.kind,
        item=original.item,
        amount_fen=amount_fen - current,
        building_id=original.building_id,
        corrects_id=original.id,
        reason=reason.strip(),
        created_by=actor.tag,
        created_at=now,
    )
    session.add(correction)
    session.flush()
    audit(
        session,
        actor=actor,
        action="ledger.correct",
        now=now,
        target=f"ledger:{entry_id}",
        correction=correction.id,
        delta=correction.amount_fen,
        reason=correction.reason,
    )
    return correction
