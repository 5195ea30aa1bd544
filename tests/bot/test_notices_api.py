"""Admin API for notices, the 三公开 ledger and long operations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.ledger import LedgerEntry
from models.outbox import OutboxMessage
from tests.support.wechat import WeChatSim

H = dict[str, str]


def test_a_notice_without_publish_at_is_published_at_once(
    wechat: WeChatSim, demo: None, admin_headers: H, session: Session
) -> None:
    body = {
        "title": "停水通知",
        "body": "明天停水。",
        "audience": {"buildings": ["3", "5"]},
        "category": "停水停电",
    }
    response = wechat.client.post("/api/v1/notices", json=body, headers=admin_headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "published" and created["groups"] == 2 and created["residents"] >= 3
    operation = wechat.client.get(
        f"/api/v1/operations/{created['operation_id']}", headers=admin_headers
    ).json()
    assert (
        operation["status"] == "done" and operation["total"] == operation["done"] == 2 + created["residents"]
    )
    assert operation["progress"] == 1.0
    assert (
        len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all())
        == operation["total"]
    )
    got = wechat.client.get(f"/api/v1/notices/{created['id']}", headers=admin_headers).json()
    assert got["audience"] == {"buildings": ["3", "5"]} and got["publications"] == 1
    assert wechat.client.get("/api/v1/notices?status=published", headers=admin_headers).json()["total"] == 1
    assert wechat.client.get("/api/v1/operations/999", headers=admin_headers).status_code == 404


def test_a_scheduled_notice_waits_and_can_be_cancelled(
    wechat: WeChatSim, demo: None, admin_headers: H, clock: ManualClock, session: Session
) -> None:
    later = (clock.now() + timedelta(hours=2)).isoformat()
    body = {
        "title": "议事会",
        "body": "周五晚7点。",
        "audience": {"grids": ["第二网格"]},
        "publish_at": later,
    }
    created = wechat.client.post("/api/v1/notices", json=body, headers=admin_headers).json()
    assert created["status"] == "scheduled" and "operation_id" not in created
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all() == []
    cancelled = wechat.client.post(f"/api/v1/notices/{created['id']}/cancel", headers=admin_headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (
        wechat.client.post(f"/api/v1/notices/{created['id']}/cancel", headers=admin_headers).status_code
        == 409
    )
    assert wechat.client.post("/api/v1/notices/999/cancel", headers=admin_headers).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"audience": {"buildings": ["3", "9"]}}, "audience", "unknown building(s): 9"),
        ({"audience": {"buildings": []}}, "audience", "is empty"),
        ({"audience": {"buildings": ["3"], "units": ["3-2"]}}, "audience", "exactly one of"),
        ({"publish_at": "2026-11-22T09:00:00+08:00"}, "publish_at", "in the past"),
        ({"publish_at": "2026-11-30T09:00:00"}, "publish_at", "timezone"),
        ({"body": "水" * 601}, "body", "600"),
        ({"title": ""}, "title", "at least 1"),
        ({"recurrence": "yearly"}, "recurrence", "monthly"),
        ({"category": "八卦"}, "category", "unknown category"),
    ],
)
def test_bad_notices_get_a_precise_422(
    wechat: WeChatSim, demo: None, admin_headers: H, change: dict[str, object], field: str, words: str
) -> None:
    body = {"title": "通知", "body": "内容", "audience": {"all": True}, **change}
    response = wechat.client.post("/api/v1/notices", json=body, headers=admin_headers)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == field and words in detail["msg"]


def test_audience_preview_counts(wechat: WeChatSim, demo: None, admin_headers: H) -> None:
    everyone = wechat.client.post(
        "/api/v1/notices/preview", json={"audience": {"all": True}}, headers=admin_headers
    )
    assert everyone.json()["groups"] == 4
    unit = wechat.client.post(
        "/api/v1/notices/preview", json={"audience": {"units": ["3-2"]}}, headers=admin_headers
    )
    assert unit.json() == {"groups": 0, "residents": 1}
    bad = wechat.client.post(
        "/api/v1/notices/preview", json={"audience": {"grids": []}}, headers=admin_headers
    )
    assert bad.status_code == 422
    assert wechat.client.post("/api/v1/notices/preview", json={"audience": {"all": True}}).status_code == 401


CSV_OK = """month,kind,item,amount_yuan,note,building
2026-11,收入,停车费,"1,200.00",11月地面停车,
2026-11,income,广告收入,300.5,电梯广告,
2026-11,支出,维修资金使用,800,3栋电梯维修,3
"""

CSV_BAD = """month,kind,item,amount_yuan,note,building
2026-11,收入,停车费,1200,,
2026-13,收入,广告收入,300,,
2026-11,转账,维修资金使用,800,,3
2026-11,支出,维修资金使用,abc,,
2026-11,支出,保洁,100,,9
"""


def test_csv_import_is_all_or_nothing_with_a_report(
    wechat: WeChatSim, demo: None, admin_headers: H, session: Session
) -> None:
    bad = wechat.client.post("/api/v1/ledger/import", content=CSV_BAD.encode(), headers=admin_headers)
    assert bad.status_code == 422
    problems = bad.json()["detail"]["problems"]
    assert [p.split("：")[0] for p in problems] == ["第3行", "第4行", "第5行", "第6行"]
    assert "2026-13" in problems[0] and "转账" in problems[1] and "abc" in problems[2] and "9" in problems[3]
    assert session.exec(select(LedgerEntry)).all() == []
    failed = wechat.client.get(
        f"/api/v1/operations/{bad.json()['detail']['operation_id']}", headers=admin_headers
    )
    assert failed.json()["status"] == "failed" and failed.json()["detail"]["problems"] == problems
    header = wechat.client.post("/api/v1/ledger/import", content=b"a,b\n1,2\n", headers=admin_headers)
    assert header.status_code == 422 and "表头" in header.json()["detail"]["problems"][0]

    ok = wechat.client.post("/api/v1/ledger/import", content=CSV_OK.encode(), headers=admin_headers)
    assert ok.status_code == 201 and ok.json()["imported"] == 3
    done = wechat.client.get(f"/api/v1/operations/{ok.json()['operation_id']}", headers=admin_headers).json()
    assert done["status"] == "done" and done["done"] == done["total"] == 3
    entries = wechat.client.get("/api/v1/ledger/entries?month=2026-11", headers=admin_headers).json()
    assert [e["amount_fen"] for e in entries["items"]] == [120000, 30050, 80000]
    summary = wechat.client.get("/api/v1/ledger/2026-11/summary?building=3", headers=admin_headers).json()
    five = wechat.client.get("/api/v1/ledger/2026-11/summary?building=5", headers=admin_headers).json()
    community = "全小区：期初结余 52,000.00元，收入 1,500.50元，支出 800.00元，期末结余 52,700.50元"
    assert community in summary["text"] and community in five["text"]  # one balance in every group
    assert "本楼（3栋）：收入 0.00元，支出 800.00元" in summary["text"] and "3栋电梯维修" in summary["text"]
    assert "本楼（5栋）：收入 0.00元，支出 0.00元" in five["text"] and "3栋电梯维修" not in five["text"]
    assert summary["figures"][0]["closing_fen"] == 52_700_50
    assert wechat.client.get("/api/v1/ledger/2026-10/summary", headers=admin_headers).status_code == 404
    assert wechat.client.get("/api/v1/ledger/2026-1/summary", headers=admin_headers).status_code == 422


def test_json_entries_and_publication(
    wechat: WeChatSim, demo: None, admin_headers: H, session: Session
) -> None:
    bad = {
        "entries": [
            {"month": "2026-11", "kind": "收入", "item": "停车费", "amount_fen": 100, "building": "9"}
        ]
    }
    response = wechat.client.post("/api/v1/ledger/entries", json=bad, headers=admin_headers)
    assert response.status_code == 422 and "9" in response.json()["detail"]["problems"][0]
    negative = {"entries": [{"month": "2026-11", "kind": "收入", "item": "停车费", "amount_fen": -5}]}
    assert (
        wechat.client.post("/api/v1/ledger/entries", json=negative, headers=admin_headers).status_code == 422
    )
    good = {"entries": [{"month": "2026-11", "kind": "收入", "item": "停车费", "amount_fen": 100_00}]}
    assert wechat.client.post("/api/v1/ledger/entries", json=good, headers=admin_headers).status_code == 201
    first = wechat.client.post("/api/v1/ledger/2026-11/publish", headers=admin_headers).json()
    assert first["pushes"] == 4
    assert wechat.client.post("/api/v1/ledger/2026-11/publish", headers=admin_headers).json()["pushes"] == 0
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ledger")).all()
    assert len(rows) == 4 and all(r.building_id and "停车费 100.00元" in r.text for r in rows)
