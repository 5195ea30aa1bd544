"""三公开 accounts (公共收益, 专项维修资金, …): each has an opening balance and says how it is published.

The community's seeds (``[[ledger_accounts]]`` in the community file) name them; without seeds the
default set below is created the first time an entry is written. The first account is the
default one (entries that name no account go there).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, Session, SQLModel, col, select


class LedgerAccount(SQLModel, table=True):
    __tablename__ = "ledger_account"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=30)
    opening_fen: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
    monthly: bool = True  # in every month's 三公开
    yearly: bool = False  # disclosed once a year (January, for the past year)
    position: int = 0  # order on every page; the lowest is the default account


@dataclass(frozen=True)
class AccountSeed:
    name: str
    opening_fen: int = 0
    monthly: bool = True
    yearly: bool = False


DEFAULT_ACCOUNTS = (
    AccountSeed("公共收益"),
    AccountSeed("专项维修资金", monthly=True, yearly=True),
)


def accounts(session: Session) -> list[LedgerAccount]:
    """Every account in page order (reads never create: an empty database has none)."""
    query = select(LedgerAccount).order_by(col(LedgerAccount.position), col(LedgerAccount.id))
    return list(session.exec(query).all())


def ensure_accounts(session: Session) -> list[LedgerAccount]:
    """The accounts, creating the default set when there are none yet (write paths only)."""
    found = accounts(session)
    if found:
        return found
    upsert_accounts(session, list(DEFAULT_ACCOUNTS))
    return accounts(session)


def upsert_accounts(session: Session, seeds: list[AccountSeed]) -> int:
    """Create or update accounts by name, in the seeds' order; return how many were new."""
    existing = {a.name: a for a in accounts(session)}
    created = 0
    for position, seed in enumerate(seeds):
        account = existing.get(seed.name)
        created += account is None
        account = account or LedgerAccount(name=seed.name)
        account.opening_fen, account.monthly, account.yearly = seed.opening_fen, seed.monthly, seed.yearly
        account.position = position
        session.add(account)
    session.flush()
    return created


def _opening(value: Any) -> int:
    text = str(value if value is not None else 0).replace(",", "").strip()
    try:
        amount = Decimal(text).scaleb(2)
    except InvalidOperation:
        raise ValueError(text) from None
    if not amount.is_finite() or amount != amount.to_integral_value() or abs(amount) >= 10**15:
        raise ValueError(text)
    return int(amount)


def seeds_from(data: dict[str, Any]) -> tuple[list[AccountSeed], list[str]]:
    """``[[ledger_accounts]]`` of a community file (name, opening_yuan, monthly, yearly) and problems."""
    seeds: list[AccountSeed] = []
    problems: list[str] = []
    for i, entry in enumerate(data.get("ledger_accounts", [])):
        name = str(entry.get("name") or "").strip()
        if not name or len(name) > 30:
            problems.append(f"ledger_accounts[{i}] 缺少 name（不超过 30 字）")
            continue
        if name in {s.name for s in seeds}:
            problems.append(f"ledger_accounts[{i}] 的名称重复：{name}")
            continue
        try:
            opening = _opening(entry.get("opening_yuan", 0))
        except ValueError:
            problems.append(
                f"ledger_accounts[{i}]（{name}）的 opening_yuan 不是金额：{entry.get('opening_yuan')!r}"
            )
            continue
        flags = {k: entry.get(k, d) for k, d in (("monthly", True), ("yearly", False))}
        if not all(isinstance(v, bool) for v in flags.values()):
            problems.append(f"ledger_accounts[{i}]（{name}）的 monthly / yearly 应为 true 或 false")
            continue
        seeds.append(AccountSeed(name, opening, flags["monthly"], flags["yearly"]))
    return seeds, problems
