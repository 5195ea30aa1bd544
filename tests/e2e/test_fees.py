"""物业收费, done when: the office's bills come in as a CSV, an overdue flat is reminded exactly once
within ``[fees] reminder_days`` (the next day's run sends nothing), the resident asks in chat and
hears what is owed, and the 收缴率 moves when the office records a payment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.settings import Settings
from scheduler import fees as fee_jobs
from scheduler.runner import SchedulerRunner
from tests.support.community import pushes_to
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"  # 王秀兰, 3栋2单元502
BILLS = (
    "building,unit,room,item,period,amount_yuan,due_on\n"
    "3,2,502,物业费,2026-09,180.50,\n"  # due 9-30: overdue
    "3,2,502,物业费,2026-10,180.50,\n"  # due 10-31: overdue
    "3,2,502,停车费,2026-11,150,2026-11-30\n"  # not due yet on 11-23
    "3,1,302,物业费,2026-10,120,\n"  # 刘桂芳's, paid below
)


@pytest.fixture
def runner(engine: Engine, clock: ManualClock, settings: Settings) -> Iterator[SchedulerRunner]:
    made = SchedulerRunner(engine=engine, clock=clock, jobs=fee_jobs.JOBS, settings=settings)
    made.jobstore.remove_all_jobs()  # the job table outlives PostgreSQL test truncation
    made.sync_jobs(clock.now())
    yield made
    made.stop()


def _csv(client: TestClient, path: str, text: str, headers: dict[str, str]) -> dict[str, object]:
    response = client.post(path, content=text.encode(), headers={**headers, "Content-Type": "text/csv"})
    assert response.status_code == 201, response.text
    return response.json()


def _rate(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    response = client.get("/api/v1/fees/collection", params={"period": "2026-10"}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_arrears_are_reminded_once_asked_about_in_chat_and_the_rate_moves_with_a_payment(
    demo: None,
    app_client: TestClient,
    admin_headers: dict[str, str],
    wechat: WeChatSim,
    clock: ManualClock,
    session: Session,
    runner: SchedulerRunner,
) -> None:
    assert _csv(app_client, "/api/v1/fees/charges/import", BILLS, admin_headers) == {
        "imported": 4,
        "already": 0,
    }
    assert _csv(app_client, "/api/v1/fees/charges/import", BILLS, admin_headers) == {
        "imported": 0,
        "already": 4,
    }
    paid = "building,unit,room,item,period,amount_yuan,paid_on\n3,1,302,物业费,2026-10,120,2026-10-20\n"
    assert _csv(app_client, "/api/v1/fees/payments/import", paid, admin_headers)["imported"] == 1
    assert _csv(app_client, "/api/v1/fees/payments/import", paid, admin_headers)["imported"] == 0

    # 09:30 on 11-23: 王秀兰's flat owes September and October; one reminder, polite, with the sum.
    assert runner.run("fees.remind_overdue", clock.now()) == 1
    reminders = pushes_to(session, WANG, "fee")
    assert len(reminders) == 1
    assert "361.00元" in reminders[0] and "2026年9月物业费" in reminders[0] and "减免" in reminders[0]
    assert "停车费" not in reminders[0]  # not due yet
    assert pushes_to(session, "刘桂芳", "fee") == []  # paid

    clock.advance(hours=24)  # the next day: nothing more
    assert runner.run("fees.remind_overdue", clock.now()) == 0
    assert len(pushes_to(session, WANG, "fee")) == 1

    reply = wechat.send(WANG, "我还欠多少物业费")
    assert "361.00元" in reply and "2026年10月物业费 180.50元" in reply and "150.00元 还没到" in reply
    reply = wechat.send(WANG, "我家物业费交到什么时候了")
    assert "还未缴清" in reply
    assert "还未缴清" not in wechat.send(WANG, "物业费怎么交")  # a general question stays 咨询

    clock.advance(days=28)  # still within the 30 days: nothing; a day past them, the next one
    assert runner.run("fees.remind_overdue", clock.now()) == 0
    clock.advance(days=1, hours=1)
    assert runner.run("fees.remind_overdue", clock.now()) == 1
    assert len(pushes_to(session, WANG, "fee")) == 2

    # 收缴率 of October: 120 of 300.50 collected; 王秀兰 pays October at the office → all of it.
    before = _rate(app_client, admin_headers)
    assert before["billed_fen"] == 30050 and before["collected_fen"] == 12000
    rows = {row["building"]: row["collection_rate"] for row in before["rows"]}  # type: ignore[union-attr]
    assert rows == {"3": 0.3993}
    charge_id = _charge_id(app_client, admin_headers)
    response = app_client.post(
        "/api/v1/fees/payments",
        json={"charge_id": charge_id, "amount_fen": 18050, "channel": "cash"},
        headers=admin_headers,
    )
    assert response.status_code == 201 and response.json()["outstanding_fen"] == 0
    assert _rate(app_client, admin_headers)["collection_rate"] == 1.0
    stats = app_client.get("/api/v1/stats", params={"month": "2026-10"}, headers=admin_headers).json()
    assert stats["collection_rate"] == 1.0
    again = app_client.post(
        "/api/v1/fees/payments", json={"charge_id": charge_id, "amount_fen": 100}, headers=admin_headers
    )
    assert again.status_code == 409 and again.json()["detail"]["reason"] == "overpaid"

    reply = wechat.send(WANG, "我家物业费交到什么时候了")
    assert "180.50元" in reply and "2026年9月物业费" in reply and "2026年10月" not in reply


def _charge_id(client: TestClient, headers: dict[str, str]) -> int:
    """王秀兰's October bill, billed again through the API: the same bill comes back, not a second."""
    body = {
        "building": "3",
        "unit": "2",
        "room": "502",
        "item": "物业费",
        "period": "2026-10",
        "amount_fen": 18050,
    }
    response = client.post("/api/v1/fees/charges", json=body, headers=headers)
    assert response.status_code == 201 and response.json()["created"] is False
    return int(response.json()["id"])
