"""Admin API for tickets: list and filter, detail with timeline, dispatch / transfer / close, stats."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.people import Person
from tests.support.wechat import WeChatSim


def _id(session: Session, name: str) -> int:
    session.rollback()
    return session.exec(select(Person).where(Person.name == name)).one().id  # type: ignore[return-value]


def test_list_detail_transfer_close_and_stats(
    app_client: TestClient, admin_headers: dict[str, str], wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send("demo-resident-wang", "厨房水管漏水了")
    wechat.send("demo-resident-wang", "是")
    listed = app_client.get("/api/v1/tickets?status=dispatched&kind=repair", headers=admin_headers).json()
    assert listed["total"] == 1 and listed["items"][0]["code"] == "R1001"
    assert app_client.get("/api/v1/tickets?kind=dispute", headers=admin_headers).json()["total"] == 0
    assert app_client.get("/api/v1/tickets?status=nonsense", headers=admin_headers).status_code == 422
    ticket_id = listed["items"][0]["id"]
    detail = app_client.get(f"/api/v1/tickets/{ticket_id}", headers=admin_headers).json()
    steps = [(e["who"], e["what"], e["status"]) for e in detail["timeline"]]
    assert steps == [("居民王秀兰", "提交", "待派单"), ("系统（自动派单）", "派单给 王师傅", "已派单")]
    assert detail["due_at"].endswith("+00:00") or detail["due_at"].endswith("Z")

    moved = app_client.post(
        f"/api/v1/tickets/{ticket_id}/transfer",
        json={"person_id": _id(session, "李师傅")},
        headers=admin_headers,
    )
    assert moved.status_code == 200 and moved.json()["assignee_id"] == _id(session, "李师傅")
    again = app_client.post(
        f"/api/v1/tickets/{ticket_id}/dispatch",
        json={"person_id": _id(session, "王师傅")},
        headers=admin_headers,
    )
    assert again.status_code == 409  # already dispatched: use transfer
    resident = app_client.post(
        f"/api/v1/tickets/{ticket_id}/transfer",
        json={"person_id": _id(session, "王秀兰")},
        headers=admin_headers,
    )
    assert resident.status_code == 409
    assert app_client.post("/api/v1/tickets/999/close", json={}, headers=admin_headers).status_code == 404
    closed = app_client.post(
        f"/api/v1/tickets/{ticket_id}/close", json={"note": "重复"}, headers=admin_headers
    )
    assert closed.json()["status"] == "cancelled"
    timeline = app_client.get(f"/api/v1/tickets/{ticket_id}", headers=admin_headers).json()["timeline"]
    assert [(e["who"], e["what"], e["note"]) for e in timeline[2:]] == [
        ("社区办公室管理员", "转派给 李师傅", ""),  # the config token, named in the config
        ("社区办公室管理员", "取消工单", "重复"),
    ]

    stats = app_client.get("/api/v1/stats?month=2026-11", headers=admin_headers).json()
    assert stats["total"] == 1 and stats["response_rate"] is None and stats["mediation_rate"] is None
    assert app_client.get("/api/v1/stats?month=2026-13", headers=admin_headers).status_code == 422
    assert app_client.get("/api/v1/stats?month=2025-01", headers=admin_headers).json()["total"] == 0
    assert app_client.get("/api/v1/stats").status_code == 401


def test_dispatch_from_the_pool(
    app_client: TestClient, admin_headers: dict[str, str], wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send("demo-resident-wang", "小区门口的路灯坏了")  # 照明: no staff has that skill → pool
    wechat.send("demo-resident-wang", "是")
    listed = app_client.get("/api/v1/tickets?status=submitted", headers=admin_headers).json()
    assert listed["total"] == 1
    ticket_id = listed["items"][0]["id"]
    done = app_client.post(
        f"/api/v1/tickets/{ticket_id}/dispatch",
        json={"person_id": _id(session, "王师傅")},
        headers=admin_headers,
    )
    assert done.status_code == 200 and done.json()["status"] == "dispatched"
