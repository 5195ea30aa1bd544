"""The admin API's 三级议事: the office raises a topic, a resident seconds it in chat, a decision
with an unknown owner or no items is refused precisely, unknown ids are 404, no token is 401."""

from __future__ import annotations

from sqlmodel import Session

from tests.support.wechat import WeChatSim


def test_the_office_raises_a_topic_and_bad_decisions_are_refused(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], session: Session
) -> None:
    client = wechat.client
    made = client.post("/api/v1/topics", json={"title": "楼道堆物清理"}, headers=admin_headers)
    assert made.status_code == 201 and made.json()["code"] == "Y1" and made.json()["tier_name"] == "网上议事"
    assert "正在议事的建议" in wechat.send("demo-resident-li", "附议") and "Y1：楼道堆物清理" in wechat.send(
        "demo-resident-li", "我也附议"
    )
    assert "已记下您对 Y1" in wechat.send("demo-resident-li", "附议 Y1")
    assert "没有找到议题 Y9" in wechat.send("demo-resident-li", "附议 Y9")
    listed = client.get("/api/v1/topics?status=discussing", headers=admin_headers).json()
    assert [(t["code"], t["raisers"]) for t in listed["items"]] == [("Y1", 1)]

    decide = {"tier": "online", "held_on": "2026-11-25", "decision": "清理", "outcome": "decide"}
    no_items = client.post("/api/v1/topics/1/meetings", json=decide, headers=admin_headers)
    assert no_items.status_code == 422 and "整改清单" in no_items.json()["detail"]
    nobody = {**decide, "items": [{"text": "清理", "owner_id": 9999, "due_on": "2026-11-30"}]}
    answer = client.post("/api/v1/topics/1/meetings", json=nobody, headers=admin_headers)
    assert answer.status_code == 422 and "9999" in answer.json()["detail"]
    stranger = {**decide, "items": [{"text": "清理", "owner_openid": "nobody", "due_on": "2026-11-30"}]}
    answer = client.post("/api/v1/topics/1/meetings", json=stranger, headers=admin_headers)
    assert answer.status_code == 422 and "nobody" in answer.json()["detail"]
    ok = {
        **decide,
        "items": [{"text": "清理楼道", "owner_openid": "demo-staff-wang", "due_on": "2026-11-30"}],
    }
    assert client.post("/api/v1/topics/1/meetings", json=ok, headers=admin_headers).status_code == 201
    assert client.post("/api/v1/topics/1/meetings", json=ok, headers=admin_headers).status_code == 409
    assert "不是您负责" in wechat.send("demo-resident-li", "整改完成 Z1")
    done = client.post("/api/v1/rectifications/1/done", json={"note": "已清"}, headers=admin_headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    detail = client.get("/api/v1/topics/1", headers=admin_headers).json()
    assert detail["status_name"] == "已办结" and detail["items"][0]["note"] == "已清"
    assert client.get("/api/v1/topics/99", headers=admin_headers).status_code == 404
    assert client.post("/api/v1/rectifications/99/done", json={}, headers=admin_headers).status_code == 404
    assert client.get("/api/v1/topics").status_code == 401
