"""Issue 19: 「网上议事—物业党群议事—社区党群议事」 and its 整改清单, through /wechat and the API.

Two residents raise one suggestion in chat (one by its words, one by 「附议 Y1」); the office records
each tier's meeting, the community tier decides and lists an item owned by 王师傅 with a due date;
past it the item shows overdue; he closes it in chat and both raisers are told what was done. A
resident asks 「我提的建议怎么样了」 along the way and hears the tier and status; the console's
三级议事 page shows the meetings and the overdue item."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from bot.clock import ManualClock
from tests.bot.test_web_console import _login
from tests.support.community import person_named, pushes_to
from tests.support.wechat import WeChatSim

WANG, ZHANG = "demo-resident-wang", "demo-resident-zhang"


def _meet(client: TestClient, headers: dict[str, str], tier: str, outcome: str, **more: object) -> dict:
    body = {
        "tier": tier,
        "held_on": "2026-11-25",
        "participants": ["周书记", "物业经理", "居民代表王秀兰"],
        "minutes": "大家都同意东门口车速太快。",
        "decision": "同意加装减速带" if outcome == "decide" else "涉及公共区域改造，提交上一级",
        "outcome": outcome,
        **more,
    }
    answer = client.post("/api/v1/topics/1/meetings", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_suggestion_goes_up_three_tiers_and_its_raisers_hear_what_was_done(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], session: Session, clock: ManualClock
) -> None:
    client = wechat.client
    reply = wechat.send(WANG, "我想提个建议：小区东门口车太快，加装减速带")
    assert "建议 Y1 收到了" in reply and "「附议 Y1」" in reply
    assert "新建议 Y1" in pushes_to(session, "周书记", "topic")[-1]
    assert "已记下您对 Y1" in wechat.send(ZHANG, "附议 Y1")
    assert "您已经附议过 Y1" in wechat.send(ZHANG, "附议Y1")  # said twice: one raiser
    assert "网上议事·议事中" in wechat.send(ZHANG, "我提的建议怎么样了")

    _meet(client, admin_headers, "online", "escalate")
    assert "已提交物业党群议事会" in pushes_to(session, ZHANG, "topic")[-1]
    stale = client.post(
        "/api/v1/topics/1/meetings",
        json={"tier": "online", "held_on": "2026-11-25", "decision": "再议", "outcome": "escalate"},
        headers=admin_headers,
    )
    assert stale.status_code == 409 and "物业党群议事会" in stale.json()["detail"]
    _meet(client, admin_headers, "property", "escalate")
    assert "物业党群议事会·议事中" not in wechat.send(WANG, "我提的建议怎么样了")

    owner = person_named(session, "王师傅")
    item = {"text": "东门口加装两条减速带", "owner_id": owner.id, "due_on": "2026-11-30"}
    decided = _meet(client, admin_headers, "community", "decide", items=[item])
    assert decided["topic"]["status_name"] == "整改中"
    assert [m["tier_name"] for m in decided["topic"]["meetings"]] == [
        "网上议事",
        "物业党群议事会",
        "社区党群议事会",
    ]
    assert "「整改完成 Z1」" in pushes_to(session, "王师傅", "topic")[-1]
    assert "东门口加装两条减速带（王师傅，11月30日前）" in pushes_to(session, WANG, "topic")[-1]
    assert "社区党群议事会·整改中，整改 0/1 项已完成" in wechat.send(WANG, "我提的建议怎么样了")

    clock.advance(timedelta(days=10))
    overdue = client.get("/api/v1/rectifications?overdue=true", headers=admin_headers).json()
    assert [(i["code"], i["overdue"]) for i in overdue["items"]] == [("Z1", True)]
    assert "已逾期" in wechat.send("demo-staff-wang", "我的整改")
    _login(wechat)
    console = wechat.client.get("/console/topics").text
    assert (
        "东门口加装两条减速带" in console
        and "！已逾期" in console
        and "社区党群议事会 11-25：同意加装减速带" in console
    )

    assert "Z1 已办结" in wechat.send("demo-staff-wang", "整改完成 Z1 两条减速带已经装好了")
    for raiser in (WANG, ZHANG):
        told = pushes_to(session, raiser, "topic")[-1]
        assert "东门口加装两条减速带，已经办好了：两条减速带已经装好了" in told and "全部完成" in told
    assert "社区党群议事会·已办结" in wechat.send(ZHANG, "我提的建议怎么样了")
    assert client.get("/api/v1/rectifications?overdue=true", headers=admin_headers).json()["total"] == 0
    again = client.post("/api/v1/rectifications/1/done", json={}, headers=admin_headers)
    assert again.status_code == 409
