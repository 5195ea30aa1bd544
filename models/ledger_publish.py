"""三公开 publication: a month (or a year, for accounts published yearly) to every building group.

Each publication is recorded with the figures it showed; publishing freezes the period (see
:func:`models.ledger.frozen_by`). Publishing again after a correction sends a new text that
starts with 「与上次公布相比：…」; publishing again with nothing changed sends nothing. Two
publications of one period at the same moment: the second is refused (``LedgerError``, reason
``conflict``), never a database error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.community import Building
from models.fanout import Target, enqueue_many
from models.ledger import MONTH, LedgerError, LedgerPublication, publication, yuan
from models.ledger_figures import compute, render

YEAR_PATTERN = r"^20[0-9]{2}$"


def changes_since(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between two snapshots, in words a resident reads."""
    changes: list[str] = []
    for name, now in after.items():
        was = before.get(name)
        if was is None:
            changes.append(f"新增账目「{name}」")
            continue
        for entry_id, (item, amount) in now["lines"].items():
            old = was["lines"].get(entry_id)
            if old is None:
                changes.append(f"{name} 补录 {item} {yuan(amount)}")
            elif old[1] != amount:
                changes.append(f"{name} {item} 由 {yuan(old[1])} 更正为 {yuan(amount)}")
        for key, word in (("opening", "期初结余"), ("closing", "期末结余")):
            if was[key] != now[key]:
                changes.append(f"{name} {word} 由 {yuan(was[key])} 变为 {yuan(now[key])}")
    return changes or ["账目设置有调整"]


def _with_changes(text: str, changes: list[str]) -> str:
    if not changes:
        return text
    head, _, rest = text.partition("\n")
    return f"{head}\n与上次公布相比：{'；'.join(changes)}。\n{rest}"


def _publish(session: Session, *, period: str, yearly: bool, now: datetime, by: str, first_only: bool) -> int:
    figures = compute(session, period=period, yearly=yearly)
    if figures.empty:
        return 0
    last = publication(session, period)
    snapshot = figures.snapshot()
    if last is not None and (first_only or last.snapshot == snapshot):
        return 0
    number = last.number + 1 if last else 1
    changes = changes_since(last.snapshot, snapshot) if last else []
    try:
        with session.begin_nested():  # two publications of one period at once: one is first
            session.add(
                LedgerPublication(
                    period=period,
                    number=number,
                    snapshot=snapshot,
                    text=_with_changes(render(session, figures), changes),
                    published_by=by,
                    published_at=now,
                )
            )
    except IntegrityError as exc:
        if first_only:
            return 0  # the scheduler: someone published it meanwhile, which is all it wanted
        raise LedgerError(
            [f"{period} 的第 {number} 次公布刚刚已由另一操作完成，本次没有重复推送。请刷新后查看。"],
            reason="conflict",
        ) from exc
    version = "" if number == 1 else f"v{number}:"
    pushes = 0
    for building in session.exec(select(Building).order_by(col(Building.id))):
        text = _with_changes(render(session, figures, building_id=building.id), changes)
        target = Target(f"ledger:{period}:{version}building:{building.id}", building_id=building.id)
        payload = {"period": period, "number": number, "month" if not yearly else "year": period}
        pushes += enqueue_many(session, [target], kind="ledger", text=text, now=now, payload=payload)
    session.flush()
    return pushes


def publish_month(
    session: Session, *, month: str, now: datetime, by: str = "", first_only: bool = False
) -> int:
    """Push the month's 三公开 to every building group; return how many pushes were new.

    Nothing is pushed when the month has no entries or nothing changed since its last
    publication (``first_only``: nothing at all once it was published).
    """
    if not MONTH.fullmatch(month):
        raise LedgerError([f"月份「{month[:20]}」应写成 2026-11 这样"])
    return _publish(session, period=month, yearly=False, now=now, by=by, first_only=first_only)


def publish_year(
    session: Session, *, year: str, now: datetime, by: str = "", first_only: bool = False
) -> int:
    """The yearly disclosure of the accounts published yearly (专项维修资金 by default)."""
    if not (len(year) == 4 and MONTH.fullmatch(f"{year}-01")):
        raise LedgerError([f"年份「{year[:20]}」应写成 2026 这样"])
    return _publish(session, period=year, yearly=True, now=now, by=by, first_only=first_only)
