"""三公开 figures: the one computation every page, message and report uses, and its texts.

For each account and period (a month, or a year): the opening balance (the account's opening
balance plus everything before the period), the community-level flow, each building's flow, and
the closing balance. By construction community-level + the buildings' flows = the period's
flow, and opening + flow = closing; a building's text shows its own entries (本楼) *and* the
community figures (全小区), so no group sees a 结余 that is not the community's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.community import Building, default_community
from models.ledger import LedgerEntry, LedgerKind, month_label, yuan
from models.ledger_accounts import accounts

FOOTER = "如有疑问，欢迎到社区或物业服务中心查阅凭证。"


@dataclass
class Flow:
    income: int = 0
    expense: int = 0

    @property
    def net(self) -> int:
        return self.income - self.expense

    def add(self, kind: str, fen: int) -> None:
        if kind == LedgerKind.income:
            self.income += fen
        else:
            self.expense += fen


@dataclass
class Line:
    """One entry as published: corrections folded into the amount, their reasons kept."""

    entry_id: int
    kind: str
    item: str
    amount_fen: int
    note: str
    building_id: int | None
    reasons: list[str] = field(default_factory=list)  # of its corrections
    late: str = ""  # why it was added after the month was published


@dataclass
class AccountFigures:
    account_id: int
    name: str
    opening: int
    community: Flow = field(default_factory=Flow)  # entries for the whole community
    buildings: dict[int, Flow] = field(default_factory=dict)  # each building's own entries
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Flow:
        flows = [self.community, *self.buildings.values()]
        return Flow(sum(f.income for f in flows), sum(f.expense for f in flows))

    @property
    def closing(self) -> int:
        return self.opening + self.total.net


@dataclass
class Figures:
    period: str  # "2026-11" or "2026"
    accounts: list[AccountFigures]
    labels: dict[int, str]  # building id → 「3栋」

    @property
    def empty(self) -> bool:
        return not any(a.lines for a in self.accounts)

    def snapshot(self) -> dict[str, Any]:
        """What a publication remembers, to say later what changed."""
        return {
            a.name: {
                "opening": a.opening,
                "income": a.total.income,
                "expense": a.total.expense,
                "closing": a.closing,
                "lines": {str(line.entry_id): [line.item, line.amount_fen] for line in a.lines},
            }
            for a in self.accounts
        }


def _months(period: str) -> tuple[str, str]:
    return (period, period) if len(period) == 7 else (f"{period}-01", f"{period}-12")


def compute(session: Session, *, period: str, yearly: bool = False) -> Figures:
    """The figures of a month (accounts published monthly) or a year (accounts published yearly)."""
    first, last = _months(period)
    chosen = [a for a in accounts(session) if (a.yearly if yearly else a.monthly)]
    ids = [a.id for a in chosen]
    before: dict[tuple[int, str], int] = {}
    for account_id, kind, total in session.exec(
        select(LedgerEntry.account_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
        .where(col(LedgerEntry.account_id).in_(ids), col(LedgerEntry.month) < first)
        .group_by(col(LedgerEntry.account_id), col(LedgerEntry.kind))
    ):
        before[(account_id, kind)] = int(total or 0)
    figures = {
        a.id: AccountFigures(
            account_id=a.id,  # type: ignore[arg-type]
            name=a.name,
            opening=a.opening_fen
            + before.get((a.id, LedgerKind.income), 0)  # type: ignore[arg-type]
            - before.get((a.id, LedgerKind.expense), 0),  # type: ignore[arg-type]
        )
        for a in chosen
    }
    rows = session.exec(
        select(LedgerEntry)
        .where(
            col(LedgerEntry.account_id).in_(ids),
            col(LedgerEntry.month) >= first,
            col(LedgerEntry.month) <= last,
        )
        .order_by(col(LedgerEntry.month), col(LedgerEntry.id))
    ).all()
    lines: dict[int, Line] = {}
    for entry in rows:
        account = figures[entry.account_id]
        flow = account.community
        if entry.building_id is not None:
            flow = account.buildings.setdefault(entry.building_id, Flow())
        flow.add(entry.kind, entry.amount_fen)
        assert entry.id is not None
        if entry.corrects_id is not None and entry.corrects_id in lines:
            line = lines[entry.corrects_id]
            line.amount_fen += entry.amount_fen
            line.reasons.append(entry.reason)
            continue
        line = Line(entry.id, entry.kind, entry.item, entry.amount_fen, entry.note, entry.building_id)
        line.late = entry.reason
        lines[entry.id] = line
        account.lines.append(line)
    labels = {b.id: b.label for b in session.exec(select(Building))}
    return Figures(period, list(figures.values()), labels)  # type: ignore[arg-type]


def balances(session: Session) -> dict[str, int]:
    """Every account's balance now (all entries), by name."""
    sums: dict[int, int] = {}
    for account_id, kind, total in session.exec(
        select(LedgerEntry.account_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen)).group_by(
            col(LedgerEntry.account_id), col(LedgerEntry.kind)
        )
    ):
        sign = 1 if kind == LedgerKind.income else -1
        sums[account_id] = sums.get(account_id, 0) + sign * int(total or 0)
    return {a.name: a.opening_fen + sums.get(a.id, 0) for a in accounts(session)}  # type: ignore[arg-type]


def _flow(flow: Flow) -> str:
    return f"收入 {yuan(flow.income)}，支出 {yuan(flow.expense)}"


def _line(line: Line, labels: dict[int, str], *, with_building: bool) -> str:
    word = "收入" if line.kind == LedgerKind.income else "支出"
    where = f"（{labels.get(line.building_id, '')}）" if with_building and line.building_id else ""
    note = f"，{line.note}" if line.note else ""
    late = f"〔补录：{line.late}〕" if line.late else ""
    fixed = f"〔已更正：{'；'.join(line.reasons)}〕" if line.reasons else ""
    return f"· {word} {line.item}{where} {yuan(line.amount_fen)}{note}{late}{fixed}"


def account_lines(figures: Figures, account: AccountFigures, building_id: int | None) -> list[str]:
    """One account's block: 全小区 totals, the community-level part, each building, and 本楼."""
    labels = figures.labels
    lines = [
        f"〔{account.name}〕",
        f"全小区：期初结余 {yuan(account.opening)}，{_flow(account.total)}，期末结余 {yuan(account.closing)}",
    ]
    if account.buildings:
        lines.append(f"其中全小区公共部分：{_flow(account.community)}")
    lines += [_line(x, labels, with_building=False) for x in account.lines if x.building_id is None]
    if account.buildings:
        parts = [
            f"{labels.get(b, str(b))} {_flow(flow)}"
            for b, flow in sorted(account.buildings.items(), key=lambda kv: labels.get(kv[0], ""))
        ]
        lines.append("其中各楼栋：" + "；".join(parts))
    if building_id is None:
        lines += [_line(x, labels, with_building=True) for x in account.lines if x.building_id is not None]
    elif account.lines:
        own = [x for x in account.lines if x.building_id == building_id]
        label = labels.get(building_id, "")
        lines.append(f"本楼（{label}）：{_flow(account.buildings.get(building_id, Flow()))}")
        lines += [_line(x, labels, with_building=False) for x in own] or ["· 本楼本期没有单独的收支"]
    return lines


def render(session: Session, figures: Figures, *, building_id: int | None = None) -> str:
    """The 三公开 text of the figures, for one building's group or for the whole community."""
    community = default_community(session)
    name = community.name if community else "本社区"
    when = month_label(figures.period) if len(figures.period) == 7 else f"{figures.period}年度"
    lines = [f"【{name} {when}收支公开】"]
    if building_id is not None:
        lines.append(f"（本楼＝{figures.labels.get(building_id, '')}自己的收支；全小区＝全体业主共有的账目）")
    for account in figures.accounts:
        lines += account_lines(figures, account, building_id)
    lines.append(FOOTER)
    return "\n".join(lines)


def summary_text(session: Session, *, month: str, building_id: int | None = None) -> str | None:
    """The month's 三公开 as residents see it (None when nothing was entered for the month)."""
    figures = compute(session, period=month)
    return None if figures.empty else render(session, figures, building_id=building_id)
