"""Bills and payments from the office's spreadsheets: all-or-nothing, and never counted twice.

Bills (``fees import-charges``): ``building,unit,room,item,period,amount_yuan[,due_on]``; a flat
already billed for that item and period is skipped, so the same file twice adds nothing.
Payments (``fees import-payments``): ``building,unit,room,item,period,amount_yuan[,channel,
reference,paid_on]``; a row without ``reference`` gets one from its own cells, so the same file
twice records nothing twice. Any bad line refuses the whole file, each problem naming its line.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time

from sqlmodel import Session

from models.base import LOCAL_TZ
from models.community import find_room
from models.csvfile import readable
from models.fees import FeeError, add_charge, charge_at, record_payment
from models.ledger import parse_yuan

CHARGE_COLUMNS = ("building", "unit", "room", "item", "period", "amount_yuan", "due_on")
PAYMENT_COLUMNS = (
    "building",
    "unit",
    "room",
    "item",
    "period",
    "amount_yuan",
    "channel",
    "reference",
    "paid_on",
)
REQUIRED = ("building", "room", "item", "period", "amount_yuan")


def _rows(text: str, columns: tuple[str, ...], problems: list[str]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        problems.append(f"第1行（表头）无法按 CSV 读取（{exc}）")
        return []
    missing = [c for c in REQUIRED if c not in fieldnames]
    if missing:
        problems.append(f"第1行（表头）缺少列：{', '.join(missing)}；表头应为 {','.join(columns)}")
        return []
    rows = []
    for row in readable(reader, reader.reader, problems):
        cells = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
        if any(cells.values()):
            rows.append((reader.line_num, cells))
    return rows


def _date(text: str, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{what}「{text[:20]}」应为年-月-日，如 2026-10-31") from exc


def _each(text: str, columns: tuple[str, ...], work: Callable[[dict[str, str]], bool]) -> tuple[int, int]:
    """``work`` on every row; (done, skipped); every problem of the file raised together."""
    problems: list[str] = []
    rows = _rows(text, columns, problems)
    done = skipped = 0
    for line, cells in rows:
        try:
            if work(cells):
                done += 1
            else:
                skipped += 1
        except FeeError as exc:
            problems += [f"第{line}行：{p}" for p in exc.problems]
        except ValueError as exc:
            problems.append(f"第{line}行：{exc}")
    if not rows and not problems:
        problems.append("文件里没有数据行")
    if problems:
        raise FeeError(problems)
    return done, skipped


def _room_id(session: Session, cells: dict[str, str]) -> int:
    found = find_room(session, building=cells["building"], unit=cells.get("unit", ""), room=cells["room"])
    if found is None or found[1].id is None:
        where = f"{cells['building']}栋{cells.get('unit') or ''}{'单元' if cells.get('unit') else ''}{cells['room']}"
        raise ValueError(f"找不到房屋 {where[:40]}")
    return found[1].id


def import_charges(session: Session, *, text: str, created_by: str, now: datetime) -> tuple[int, int]:
    """(billed, already billed) of a bills CSV; nothing is stored if any line is bad."""

    def bill(cells: dict[str, str]) -> bool:
        _charge, new = add_charge(
            session,
            room_id=_room_id(session, cells),
            item=cells["item"],
            period=cells["period"],
            amount_fen=parse_yuan(cells["amount_yuan"]),
            due_on=_date(cells.get("due_on", ""), "到期日"),
            created_by=created_by,
            now=now,
        )
        return new

    return _each(text, CHARGE_COLUMNS, bill)


def import_payments(session: Session, *, text: str, recorded_by: str, now: datetime) -> tuple[int, int]:
    """(recorded, already recorded) of a payments CSV; nothing is stored if any line is bad."""

    def pay(cells: dict[str, str]) -> bool:
        room_id = _room_id(session, cells)
        charge = charge_at(
            session,
            building=cells["building"],
            unit=cells.get("unit", ""),
            room=cells["room"],
            item=cells["item"],
            period=cells["period"],
        )
        if charge is None or charge.id is None:
            raise ValueError(f"这户没有 {cells['period'][:7]} 的「{cells['item'][:20]}」账单，请先导入账单")
        paid_on = _date(cells.get("paid_on", ""), "缴费日期")
        paid_at = datetime.combine(paid_on, time(12), LOCAL_TZ).astimezone(UTC) if paid_on else now
        reference = cells.get("reference") or _row_reference(room_id, cells)
        _payment, new = record_payment(
            session,
            charge_id=charge.id,
            amount_fen=parse_yuan(cells["amount_yuan"]),
            channel=cells.get("channel") or "office",
            reference=reference,
            paid_at=paid_at,
            recorded_by=recorded_by,
            now=now,
        )
        return new

    return _each(text, PAYMENT_COLUMNS, pay)


def _row_reference(room_id: int, cells: dict[str, str]) -> str:
    """A reference made of the row itself: the same row in a second upload is the same payment."""
    parts = [str(room_id)] + [cells.get(c, "") for c in ("item", "period", "amount_yuan", "paid_on")]
    return "csv:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
