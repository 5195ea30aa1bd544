"""The admin API's 微心愿: list, publish (how many members it reached), decline with a reason; a
second decision on a decided wish is a 409."""

from __future__ import annotations

from sqlmodel import Session

from tests.support.community import pushes_to
from tests.support.wechat import WeChatSim


def test_the_office_lists_publishes_and_cannot_decide_twice(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], session: Session
) -> None:
    wechat.send("demo-elder-liu", "想请党员帮我去药店买降压药")
    client = wechat.client
    listed = client.get("/api/v1/wishes?status=pending", headers=admin_headers).json()
    assert [(w["code"], w["status_name"]) for w in listed["items"]] == [("W1", "待审核")]
    done = client.post("/api/v1/wishes/1/approve", headers=admin_headers)
    assert done.status_code == 200 and done.json()["reached"] == 3
    assert done.json()["wish"]["status"] == "published"
    assert "「认领心愿 W1」" in pushes_to(session, "黄志明", "wish")[-1]
    again = client.post("/api/v1/wishes/1/decline", json={"reason": "重复"}, headers=admin_headers)
    assert again.status_code == 409 and "待认领" in again.json()["detail"]
    assert client.post("/api/v1/wishes/99/approve", headers=admin_headers).status_code == 404
    assert client.get("/api/v1/wishes").status_code == 401
