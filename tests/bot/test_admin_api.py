"""Admin API: bearer tokens, binding approvals, health."""

from __future__ import annotations

from sqlmodel import Session, select

from models.community import find_room
from models.outbox import OutboxMessage
from models.people import person_by_openid
from tests.support.wechat import WeChatSim


def test_health(wechat: WeChatSim) -> None:
    health = wechat.client.get("/healthz").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert set(health["outbox"]) == {"pending", "oldest_seconds", "dead"}


def test_api_requires_a_known_token(wechat: WeChatSim) -> None:
    assert wechat.client.get("/api/v1/binding-requests").status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert wechat.client.get("/api/v1/binding-requests", headers=bad).status_code == 401


def test_admin_approves_a_binding_request_and_the_person_is_told(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], session: Session
) -> None:
    wechat.send("family-member", "绑定")
    wechat.send("family-member", "3栋2单元1502")  # not on file: the admin places them
    listed = wechat.client.get("/api/v1/binding-requests?status=pending", headers=admin_headers).json()
    assert listed["total"] == 1
    request_id = listed["items"][0]["id"]
    found = find_room(session, building="3", unit="2", room="502")
    assert found is not None
    decided = wechat.client.post(
        f"/api/v1/binding-requests/{request_id}/approve", json={"room_id": found[1].id}, headers=admin_headers
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    session.rollback()  # a fresh snapshot: the app has written since the room was looked up
    person = person_by_openid(session, "family-member")
    assert person is not None and person.room_id is not None and not person.is_owner
    told = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == person.id)).one()
    assert "已通过" in told.text and "3栋2单元502" in told.text
    again = wechat.client.post(
        f"/api/v1/binding-requests/{request_id}/reject", json={}, headers=admin_headers
    )
    assert again.status_code == 409


def test_unknown_room_request_needs_a_room_to_approve(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str]
) -> None:
    wechat.send("newcomer", "绑定")
    wechat.send("newcomer", "3栋2单元1502")
    request_id = wechat.client.get("/api/v1/binding-requests", headers=admin_headers).json()["items"][0]["id"]
    response = wechat.client.post(
        f"/api/v1/binding-requests/{request_id}/approve", json={}, headers=admin_headers
    )
    assert response.status_code == 409 and "room_id" in response.json()["detail"]
    assert (
        wechat.client.post("/api/v1/binding-requests/999/approve", json={}, headers=admin_headers).status_code
        == 404
    )
