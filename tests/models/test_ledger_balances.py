"""Property: over random ledgers, every published figure adds up and agrees everywhere it appears.

A random ledger (two accounts with random opening balances, entries over three months for the
community or one of the four buildings, then random corrections) is published, corrected and
published again. An oracle computed here from the generated data alone must match:

- the computed figures: per account, the buildings' flows plus the community-level flow plus the
  opening balance equal the closing balance;
- every text pushed to a building group (本楼 and 全小区 figures), the community text of the
  publication, the API summary (text and figures) and account balances, the console page, and
  ``hgj ledger show``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli import app as cli_app
from bot.clock import ManualClock
from models.actors import CLI
from models.ledger import (
    MAX_AMOUNT_FEN,
    EntryInput,
    LedgerEntry,
    LedgerPublication,
    add_entries,
    correct_entry,
)
from models.ledger_accounts import AccountSeed, upsert_accounts
from models.ledger_figures import compute
from models.ledger_import import LedgerImport
from models.ledger_publish import publish_month
from models.outbox import OutboxMessage
from tests.bot.test_web_console import _login
from tests.conftest import ADMIN_TOKEN
from tests.support.wechat import WeChatSim

ACCOUNTS = ("公共收益", "专项维修资金")
MONTHS = ("2026-09", "2026-10", "2026-11")
MONTH = MONTHS[-1]
BUILDINGS = (None, "1", "2", "3", "5")
ITEMS = ("停车费", "广告位租金", "绿化养护", "电梯维修", "楼顶防水")
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
YUAN = r"(-?[\d,]+\.\d{2})元"

entries = st.lists(
    st.tuples(
        st.sampled_from(range(len(ACCOUNTS))),
        st.sampled_from(MONTHS),
        st.sampled_from(("income", "expense")),
        st.sampled_from(ITEMS),
        st.integers(1, MAX_AMOUNT_FEN),
        st.sampled_from(BUILDINGS),
    ),
    min_size=1,
    max_size=20,
)
corrections = st.lists(st.tuples(st.integers(0, 19), st.integers(0, MAX_AMOUNT_FEN)), max_size=4)
openings = st.tuples(st.integers(-(10**10), 10**12), st.integers(0, 10**12))


def fen(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, cents = text.lstrip("-").replace(",", "").split(".")
    return sign * (int(whole) * 100 + int(cents))


@dataclass
class Expected:
    """The oracle for one account: figures for MONTH from the generated data alone."""

    opening: int = 0
    community: list[int] = field(default_factory=lambda: [0, 0])
    buildings: dict[str, list[int]] = field(default_factory=dict)
    later: int = 0  # net of months after MONTH (none here: MONTH is the last)

    @property
    def income(self) -> int:
        return self.community[0] + sum(b[0] for b in self.buildings.values())

    @property
    def expense(self) -> int:
        return self.community[1] + sum(b[1] for b in self.buildings.values())

    @property
    def closing(self) -> int:
        return self.opening + self.income - self.expense


def oracle(opening: tuple[int, int], rows: list[tuple], amounts: list[int]) -> dict[str, Expected]:
    expected = {name: Expected(opening=opening[i]) for i, name in enumerate(ACCOUNTS)}
    for (account, month, kind, _, _, building), amount in zip(rows, amounts, strict=True):
        book = expected[ACCOUNTS[account]]
        signed = amount if kind == "income" else -amount
        if month < MONTH:
            book.opening += signed
            continue
        flow = book.community if building is None else book.buildings.setdefault(f"{building}栋", [0, 0])
        flow[0 if kind == "income" else 1] += amount
    return expected


def parse(text: str) -> dict[str, dict[str, object]]:
    """Per account block: 全小区 (opening, income, expense, closing), 公共部分, 各楼栋, 本楼."""
    found: dict[str, dict[str, object]] = {}
    current: dict[str, object] = {}
    for line in text.splitlines():
        if m := re.fullmatch(r"〔(.+)〕", line):
            current = found.setdefault(m.group(1), {"buildings": {}})
        elif m := re.fullmatch(rf"全小区：期初结余 {YUAN}，收入 {YUAN}，支出 {YUAN}，期末结余 {YUAN}", line):
            current["all"] = tuple(fen(g) for g in m.groups())
        elif m := re.fullmatch(rf"其中全小区公共部分：收入 {YUAN}，支出 {YUAN}", line):
            current["common"] = (fen(m.group(1)), fen(m.group(2)))
        elif line.startswith("其中各楼栋："):
            for part in line.removeprefix("其中各楼栋：").split("；"):
                m = re.fullmatch(rf"(\S+) 收入 {YUAN}，支出 {YUAN}", part)
                assert m, part
                current["buildings"][m.group(1)] = (fen(m.group(2)), fen(m.group(3)))  # type: ignore[index]
        elif m := re.fullmatch(rf"本楼（(\S+)）：收入 {YUAN}，支出 {YUAN}", line):
            current["own"] = (m.group(1), fen(m.group(2)), fen(m.group(3)))
    return found


def check_text(text: str, expected: dict[str, Expected], building: str | None) -> None:
    parsed = parse(text)
    assert set(parsed) == set(ACCOUNTS), text
    for name, book in expected.items():
        shown = parsed[name]
        assert shown["all"] == (book.opening, book.income, book.expense, book.closing), (name, text)
        listed: dict[str, tuple[int, int]] = shown["buildings"]  # type: ignore[assignment]
        assert {k for k, v in book.buildings.items() if v != [0, 0]} <= set(listed) <= set(book.buildings)
        for label, flow in listed.items():
            assert list(flow) == book.buildings[label], (name, label, text)
        if listed:  # the parts add up to the whole, in the text itself
            common = shown["common"]
            assert common == tuple(book.community)  # type: ignore[comparison-overlap]
        if building is not None and "own" in shown:
            label = f"{building}栋"
            assert shown["own"] == (label, *book.buildings.get(label, [0, 0])), (name, text)


def check_figures(engine: Engine, expected: dict[str, Expected]) -> None:
    with Session(engine) as session:
        figures = compute(session, period=MONTH)
    for account in figures.accounts:
        book = expected[account.name]
        buildings = sum(f.net for f in account.buildings.values())
        assert account.opening + account.community.net + buildings == account.closing == book.closing
        assert account.opening == book.opening


def reset(engine: Engine, opening: tuple[int, int]) -> None:
    with Session(engine) as session, session.begin():
        session.exec(delete(LedgerEntry).where(col(LedgerEntry.corrects_id).is_not(None)))  # type: ignore[call-overload]
        for table in (LedgerEntry, LedgerImport, LedgerPublication):
            session.exec(delete(table))  # type: ignore[call-overload]
        session.exec(delete(OutboxMessage).where(col(OutboxMessage.kind) == "ledger"))  # type: ignore[call-overload]
        upsert_accounts(session, [AccountSeed(n, opening[i]) for i, n in enumerate(ACCOUNTS)])


def pushed(engine: Engine) -> dict[int, str]:
    """The latest text pushed to each building group."""
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "ledger").order_by(col(OutboxMessage.id))
        ).all()
        return {r.building_id: r.text for r in rows if r.building_id is not None}


def numbers(engine: Engine) -> dict[int, str]:
    from models.community import Building

    with Session(engine) as session:
        return {b.id: b.number for b in session.exec(select(Building))}  # type: ignore[misc]


def check_everywhere(
    engine: Engine, client: TestClient, config: str, expected: dict[str, Expected], published: str
) -> None:
    check_figures(engine, expected)
    by_id = numbers(engine)
    texts = pushed(engine)
    assert set(texts) == set(by_id)
    for building_id, text in texts.items():
        check_text(text, expected, by_id[building_id])
    check_text(published, expected, None)
    for number in (None, *BUILDINGS[1:]):
        query = f"?building={number}" if number else ""
        body = client.get(f"/api/v1/ledger/{MONTH}/summary{query}", headers=AUTH).json()
        check_text(body["text"], expected, number)
        for figures in body["figures"]:
            book = expected[figures["account"]]
            assert (figures["opening_fen"], figures["closing_fen"]) == (book.opening, book.closing)
            assert (figures["income_fen"], figures["expense_fen"]) == (book.income, book.expense)
    balances = {
        a["name"]: a["balance_fen"] for a in client.get("/api/v1/ledger/accounts", headers=AUTH).json()
    }
    assert balances == {name: book.closing for name, book in expected.items()}
    console = client.get(f"/console/ledger?month={MONTH}").text
    check_text(re.search(r'<pre class="summary">(.*?)</pre>', console, re.S).group(1), expected, None)  # type: ignore[union-attr]
    shown = CliRunner().invoke(cli_app, ["ledger", "show", MONTH, "-c", config], env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    check_text(shown.output, expected, None)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a whole app round trip
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(opening=openings, rows=entries, fixes=corrections)
def test_published_figures_add_up_everywhere(
    engine: Engine,
    demo: None,
    clock: ManualClock,
    wechat: WeChatSim,
    tmp_path_factory: object,
    opening: tuple[int, int],
    rows: list[tuple],
    fixes: list[tuple[int, int]],
) -> None:
    rows = [*rows[:-1], (*rows[-1][:1], MONTH, *rows[-1][2:])]  # the published month has entries
    config = tmp_path_factory.mktemp("cfg") / "c.toml"  # type: ignore[attr-defined]
    config.write_text(f'[database]\nurl = "{engine.url.render_as_string(hide_password=False)}"\n')
    if wechat.client.get("/console/", follow_redirects=False).status_code == 303:
        _login(wechat)  # once: the client keeps the console session across examples
    reset(engine, opening)
    with Session(engine) as session, session.begin():
        stored = add_entries(
            session,
            items=[
                EntryInput(m, k, item, a, building=b, account=ACCOUNTS[i]) for i, m, k, item, a, b in rows
            ],
            created_by="test",
            now=clock.now(),
        )
        ids = [e.id for e in stored]
        assert publish_month(session, month=MONTH, now=clock.now()) == 4
        first = session.exec(select(LedgerPublication)).one().text
    amounts = [r[4] for r in rows]
    check_everywhere(engine, wechat.client, str(config), oracle(opening, rows, amounts), first)

    changed = False
    with Session(engine) as session, session.begin():
        for index, amount in fixes:
            index %= len(rows)
            if amount == amounts[index]:
                continue
            correct_entry(
                session,
                entry_id=ids[index],
                amount_fen=amount,
                reason="复核",
                actor=CLI,
                now=clock.now(),
            )
            amounts[index], changed = amount, True
        pushes = publish_month(session, month=MONTH, now=clock.now())
        latest = session.exec(
            select(LedgerPublication).order_by(col(LedgerPublication.number).desc())
        ).first()
        assert latest is not None
        number, latest_text = latest.number, latest.text
    assert (pushes == 4) == changed and (number == 2) == changed
    if changed:
        assert all("与上次公布相比：" in text for text in pushed(engine).values())
    with Session(engine) as session:  # the original entries are all still there, unchanged
        originals = session.exec(select(LedgerEntry.amount_fen).where(col(LedgerEntry.corrects_id).is_(None)))
        assert sorted(originals) == sorted(r[4] for r in rows)
    check_everywhere(engine, wechat.client, str(config), oracle(opening, rows, amounts), latest_text)
