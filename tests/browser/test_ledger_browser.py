"""In a real browser: the office records 三公开 entries, publishes the month, corrects an entry and re-publishes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from tests.conftest import ADMIN_TOKEN
from tests.support.wechat import WeChatSim


def test_record_publish_correct_and_republish(
    browser_page: Any, shot: Any, wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    page = browser_page
    page.goto("/console/login")
    page.fill("input[name=token]", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto("/console/ledger?month=2026-11")
    assert "公共收益" in page.inner_text("#ledger-accounts") and "52,000.00元" in page.inner_text(
        "#ledger-accounts"
    )
    page.select_option("select[name=account]", "专项维修资金")
    page.select_option("select[name=kind]", "expense")
    page.fill("input[name=item]", "电梯维修")
    page.fill("input[name=amount]", "800")
    page.select_option("select[name=building]", "3")
    page.click("text=保存")
    assert "已记入 2026-11" in page.inner_text(".flash")
    summary = page.inner_text("pre.summary")
    assert "全小区：期初结余 1,860,000.00元，收入 0.00元，支出 800.00元，期末结余 1,859,200.00元" in summary
    page.click("text=推送到各楼栋群")
    assert "推送到 4 个楼栋群" in page.inner_text("#reach")  # asked once, with the groups named
    page.click("#confirm")
    assert "已推送到 4 个楼栋群" in page.inner_text(".flash") and "本月已冻结" in page.inner_text(
        "#ledger-status"
    )
    shot("1-ledger-published")

    row = page.locator("#ledger-rows tr", has_text="电梯维修")
    row.locator("input[name=amount]").fill("750")
    row.locator("input[name=reason]").fill("发票金额为750元")
    row.locator("button", has_text="更正").click()
    assert "另记差额 -50.00元，原记录保留" in page.inner_text(".flash")
    assert "之后有更正，尚未重新公布" in page.inner_text("#ledger-status")
    assert (
        page.locator("#ledger-rows tr", has_text="电梯维修").count() == 2
    )  # the original and its correction
    page.click("text=推送到各楼栋群")
    assert "推送到 4 个楼栋群" in page.inner_text("#reach")  # asked once, with the groups named
    page.click("#confirm")
    assert "已推送到 4 个楼栋群" in page.inner_text(".flash")
    shot("2-ledger-corrected")
    with Session(engine) as session:
        again = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.idempotency_key).like("ledger:2026-11:v2:%"))
        ).all()
    assert len(again) == 4
    assert all("与上次公布相比：专项维修资金 电梯维修 由 800.00元 更正为 750.00元" in m.text for m in again)
