"""三公开 books an office can trust: no file twice, corrections on the record, frozen months, yearly disclosure."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli import app as cli_app
from bot.clock import ManualClock
from bot.db import create_db_engine
from bot.migrate import upgrade
from models.ledger import EntryInput, LedgerEntry, add_entries
from models.outbox import OutboxMessage
from scheduler.notices import publish_yearly_ledger
from tests.bot.test_web_console import _login
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

H = dict[str, str]
CSV = """month,kind,item,amount_yuan,note,building,account
2026-11,收入,停车费,"1,200.00",11月地面停车,,
2026-11,支出,电梯维修,800,3栋电梯,3,专项维修资金
"""


def _balances(wechat: WeChatSim, headers: H) -> dict[str, int]:
    return {
        a["name"]: a["balance_fen"]
        for a in wechat.client.get("/api/v1/ledger/accounts", headers=headers).json()
    }


def test_the_same_file_twice_is_refused_and_overlaps_are_named(
    wechat: WeChatSim, demo: None, admin_headers: H, session: Session
) -> None:
    assert (
        wechat.client.post("/api/v1/ledger/import", content=CSV.encode(), headers=admin_headers).status_code
        == 201
    )
    again = wechat.client.post("/api/v1/ledger/import", content=CSV.encode(), headers=admin_headers)
    assert again.status_code == 409 and again.json()["detail"]["reason"] == "duplicate"
    assert "2026年11月「公共收益」的 1 条已于" in again.json()["detail"]["problems"][0]
    header, parking = CSV.splitlines()[:2]
    overlapping = f"{header}\n{parking}\n2026-11,收入,广告收入,300,,,\n2026-11,收入,广告收入,300,,,\n"
    overlap = wechat.client.post("/api/v1/ledger/import", content=overlapping.encode(), headers=admin_headers)
    assert overlap.status_code == 409 and overlap.json()["detail"]["reason"] == "overlap"
    problems = overlap.json()["detail"]["problems"]
    assert problems[0].startswith("第2行：与已入账的记录相同（2026-11「公共收益」收入 停车费 1,200.00元）")
    assert problems[1].startswith("第4行：与第3行完全相同") and len(problems) == 3
    session.rollback()
    assert len(session.exec(select(LedgerEntry)).all()) == 2  # nothing doubled
    assert _balances(wechat, admin_headers) == {
        "公共收益": 52_000_00 + 1_200_00,
        "专项维修资金": 1_860_000_00 - 800_00,
    }


def test_the_cli_and_the_console_refuse_a_repeated_file(
    wechat: WeChatSim, demo: None, engine: Engine, tmp_path: Path
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{engine.url.render_as_string(hide_password=False)}"\n')
    file = tmp_path / "l.csv"
    file.write_text(CSV, encoding="utf-8")
    runner, env = CliRunner(), {"COLUMNS": "300"}
    assert runner.invoke(cli_app, ["ledger", "import", str(file), "-c", str(config)], env=env).exit_code == 0
    again = runner.invoke(cli_app, ["ledger", "import", str(file), "-c", str(config)], env=env)
    assert again.exit_code == 1 and "这份文件已经导入过，没有写入任何数据" in again.output
    _login(wechat)
    console = wechat.client.post(
        "/console/ledger/import", files={"file": ("l.csv", CSV.encode(), "text/csv")}
    )
    assert (
        console.status_code == 409
        and "这份文件已经导入过" in console.text
        and "导入过（同一份文件）" in console.text
    )


def test_a_correction_changes_the_balance_and_keeps_the_original(
    wechat: WeChatSim, demo: None, admin_headers: H, engine: Engine, tmp_path: Path
) -> None:
    assert (
        wechat.client.post("/api/v1/ledger/import", content=CSV.encode(), headers=admin_headers).status_code
        == 201
    )
    entries = wechat.client.get("/api/v1/ledger/entries", headers=admin_headers).json()["items"]
    parking = entries[0]["id"]
    no_reason = {"amount_fen": 1_100_00, "reason": ""}
    url = f"/api/v1/ledger/entries/{parking}/corrections"
    assert wechat.client.post(url, json=no_reason, headers=admin_headers).status_code == 422
    fixed = wechat.client.post(
        url, json={"amount_fen": 1_100_00, "reason": "收据金额录错"}, headers=admin_headers
    )
    assert (
        fixed.status_code == 201
        and fixed.json()["amount_fen"] == -100_00
        and fixed.json()["corrects_id"] == parking
    )
    assert _balances(wechat, admin_headers)["公共收益"] == 52_000_00 + 1_100_00
    listed = wechat.client.get("/api/v1/ledger/entries", headers=admin_headers).json()["items"]
    assert [(e["amount_fen"], e["corrects_id"]) for e in listed] == [
        (1_200_00, None),
        (800_00, None),
        (-100_00, parking),
    ]
    again = f"/api/v1/ledger/entries/{fixed.json()['id']}/corrections"
    refused = wechat.client.post(again, json={"amount_fen": 1, "reason": "x"}, headers=admin_headers)
    assert (
        refused.status_code == 422 and f"请更正原记录 #{parking}" in refused.json()["detail"]["problems"][0]
    )
    assert (
        wechat.client.post(
            "/api/v1/ledger/entries/99999/corrections",
            json={"amount_fen": 1, "reason": "x"},
            headers=admin_headers,
        ).status_code
        == 404
    )
    text = wechat.client.get("/api/v1/ledger/2026-11/summary", headers=admin_headers).json()["text"]
    assert "停车费 1,100.00元，11月地面停车〔已更正：收据金额录错〕" in text
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{engine.url.render_as_string(hide_password=False)}"\n')
    cli = CliRunner().invoke(
        cli_app,
        ["ledger", "correct", str(parking), "1000", "--reason", "再次核对", "-c", str(config)],
        env={"COLUMNS": "300"},
    )
    assert cli.exit_code == 0 and "记入差额 -100.00元" in cli.output and "原记录保留" in cli.output
    assert _balances(wechat, admin_headers)["公共收益"] == 52_000_00 + 1_000_00


def test_a_published_month_is_frozen_and_a_republication_says_what_changed(
    wechat: WeChatSim, demo: None, admin_headers: H, session: Session
) -> None:
    assert (
        wechat.client.post("/api/v1/ledger/import", content=CSV.encode(), headers=admin_headers).status_code
        == 201
    )
    assert wechat.client.post("/api/v1/ledger/2026-11/publish", headers=admin_headers).json()["pushes"] == 4
    late = {"month": "2026-11", "kind": "收入", "item": "快递柜场地费", "amount_fen": 600_00}
    frozen = wechat.client.post("/api/v1/ledger/entries", json={"entries": [late]}, headers=admin_headers)
    assert frozen.status_code == 409 and frozen.json()["detail"]["reason"] == "frozen"
    assert "2026年11月「公共收益」已于" in frozen.json()["detail"]["problems"][0]
    other = CSV.replace("停车费", "广告收入")
    refused = wechat.client.post("/api/v1/ledger/import", content=other.encode(), headers=admin_headers)
    assert refused.status_code == 409 and refused.json()["detail"]["reason"] == "frozen"
    with_reason = {**late, "reason": "漏记，12月3日补录"}
    added = wechat.client.post(
        "/api/v1/ledger/entries", json={"entries": [with_reason]}, headers=admin_headers
    )
    assert added.status_code == 201
    again = wechat.client.post("/api/v1/ledger/2026-11/publish", headers=admin_headers).json()
    assert again["pushes"] == 4 and again["publication"] == 2
    session.rollback()
    latest = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.idempotency_key).like("ledger:2026-11:v2:%"))
    ).all()
    assert len(latest) == 4
    for message in latest:
        assert (
            "与上次公布相比：公共收益 补录 快递柜场地费 600.00元；公共收益 期末结余 由 53,200.00元 变为 53,800.00元。"
            in message.text
        )
        assert "快递柜场地费 600.00元〔补录：漏记，12月3日补录〕" in message.text
    assert wechat.client.post("/api/v1/ledger/2026-11/publish", headers=admin_headers).json()["pushes"] == 0


def test_maintenance_funds_are_disclosed_yearly_in_january(
    engine: Engine, demo: None, clock: ManualClock, session: Session
) -> None:
    with Session(engine) as s, s.begin():
        add_entries(
            s,
            items=[
                EntryInput("2026-11", "支出", "楼顶防水", 4_800_00, building="3", account="专项维修资金"),
                EntryInput("2026-11", "收入", "停车费", 1_000_00),
            ],
            created_by="t",
            now=clock.now(),
        )

    def run(moment: datetime) -> int:
        clock.set(moment)
        with Session(engine) as s, s.begin():
            return publish_yearly_ledger(s, now=clock.now())

    assert run(datetime(2026, 12, 31, 12, 0, tzinfo=UTC)) == 0  # not yet the new year
    assert run(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == 0  # 1 January 07:00 in Beijing: too early
    assert run(datetime(2027, 1, 1, 2, 0, tzinfo=UTC)) == 4
    assert run(datetime(2027, 1, 5, 2, 0, tzinfo=UTC)) == 0  # once
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ledger")).all()
    assert len(rows) == 4 and all("2026年度收支公开" in r.text for r in rows)
    assert all("〔专项维修资金〕" in r.text and "〔公共收益〕" not in r.text for r in rows)
    assert all("期末结余 1,855,200.00元" in r.text for r in rows)


def test_existing_entries_move_into_the_default_account(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "7a2c9e4f1b63")  # the revision right before the ledger accounts
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO ledger_entry (month, kind, item, amount_fen, note, created_by, created_at) "
                "VALUES ('2026-10', 'income', '停车费', 100, '', 'x', '2026-10-31 00:00:00')"
            )
        )
    upgrade(engine)
    with Session(engine) as session:
        entry = session.exec(select(LedgerEntry)).one()
        from models.ledger_accounts import LedgerAccount

        account = session.get(LedgerAccount, entry.account_id)
        assert account is not None and account.name == "公共收益" and entry.reason == ""
    engine.dispose()


def test_an_unknown_account_is_refused_naming_the_accounts(
    wechat: WeChatSim, demo: None, admin_headers: H
) -> None:
    bad = {
        "entries": [
            {"month": "2026-11", "kind": "收入", "item": "租金", "amount_fen": 100, "account": "小金库"}
        ]
    }
    response = wechat.client.post("/api/v1/ledger/entries", json=bad, headers=admin_headers)
    assert response.status_code == 422
    assert (
        "没有「小金库」这个账目（可选：公共收益、专项维修资金）" in response.json()["detail"]["problems"][0]
    )


def test_two_publications_of_one_month_at_once_give_the_second_a_409_not_a_500(
    wechat: WeChatSim, demo: None, admin_headers: H, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests read 「not published yet」 before either commits; the second insert meets the
    first's row. The race is made certain by letting the second read what the first would have."""
    import models.ledger_publish as ledger_publish

    assert (
        wechat.client.post("/api/v1/ledger/import", content=CSV.encode(), headers=admin_headers).status_code
        == 201
    )
    assert wechat.client.post("/api/v1/ledger/2026-11/publish", headers=admin_headers).status_code == 200
    monkeypatch.setattr(ledger_publish, "publication", lambda session, period: None)  # read too early
    second = wechat.client.post("/api/v1/ledger/2026-11/publish", headers=admin_headers)
    assert second.status_code == 409, second.text
    detail = second.json()["detail"]
    assert detail["reason"] == "conflict" and "simultaneous request" in detail["message"]
    assert "刚刚已由另一操作完成" in detail["problems"][0]
    _login(wechat)
    page = confirm(wechat.client, wechat.client.post("/console/ledger/2026-11/publish"))
    assert page.status_code == 200 and "刚刚已由另一操作完成" in page.text
    session.rollback()
    pushed = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.idempotency_key).like("ledger:2026-11:%"))
    )
    assert len(pushed.all()) == 4  # the first publication's pushes only


def test_the_csv_carries_the_reason_of_corrections_and_late_entries_both_ways(
    wechat: WeChatSim, demo: None, admin_headers: H
) -> None:
    assert (
        wechat.client.post("/api/v1/ledger/import", content=CSV.encode(), headers=admin_headers).status_code
        == 201
    )
    parking = wechat.client.get("/api/v1/ledger/entries", headers=admin_headers).json()["items"][0]["id"]
    fixed = wechat.client.post(
        f"/api/v1/ledger/entries/{parking}/corrections",
        json={"amount_fen": 1_100_00, "reason": "收据金额录错"},
        headers=admin_headers,
    )
    assert fixed.status_code == 201
    assert wechat.client.post("/api/v1/ledger/2026-11/publish", headers=admin_headers).status_code == 200
    header = "month,kind,item,amount_yuan,note,building,account,reason"
    late = f"{header}\n2026-11,收入,快递柜场地费,600,,,,漏记，12月3日补录\n"
    no_reason = late.replace("漏记，12月3日补录", "")
    refused = wechat.client.post("/api/v1/ledger/import", content=no_reason.encode(), headers=admin_headers)
    assert refused.status_code == 409 and refused.json()["detail"]["reason"] == "frozen"
    added = wechat.client.post("/api/v1/ledger/import", content=late.encode(), headers=admin_headers)
    assert added.status_code == 201, added.text

    exported = wechat.client.get("/api/v1/ledger/entries.csv?month=2026-11", headers=admin_headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0] == f"id,{header},corrects"
    assert f"2026-11,收入,停车费,-100.00,,,公共收益,收据金额录错,{parking}" in lines[3]
    assert lines[4].endswith("快递柜场地费,600.00,,,公共收益,漏记，12月3日补录,")
    again = wechat.client.post("/api/v1/ledger/import", content=exported.text.encode(), headers=admin_headers)
    assert again.status_code in (409, 422)  # never imported twice, nor a correction by import
    assert "更正" in " ".join(again.json()["detail"]["problems"])
