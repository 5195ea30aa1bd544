"""People who need care first (重点关爱对象): registered through the admin API, reached before
their neighbours when an outage notice or an emergency touches their building, and checked on by
the building head; down to WeChat's wire through the real delivery worker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.outbound.worker import DeliveryWorker
from tests.support.fake_wechat import Delivery, FakeWeChat
from tests.support.outbox import deliver_all
from tests.support.wechat import WeChatSim

ELDER = "demo-elder-liu"  # 刘桂芳, 3栋1单元302
CONTACT = "demo-party-huang"  # 黄志明: her contact
HEAD = "wx-chenhongmei"  # 陈红梅, 3栋's building head
NEIGHBOUR = "demo-resident-wang"  # 王秀兰, 3栋2单元502


def _register(wechat: WeChatSim, headers: dict[str, str], clock: ManualClock, **changes: str) -> dict:
    entry = {
        "name": "刘桂芳",
        "building": "3",
        "unit": "1",
        "room": "302",
        "kind": "elder_alone",
        "needs": "独居，耳背，停水要有人送水",
        "contact_name": "黄志明",
        "contact_phone": "13803510062",
        "contact_openid": "demo-party-huang",
        "openid": ELDER,
        "consent_by": "guardian",
        "consent_name": "黄志明",
        "consented_at": (clock.now() - timedelta(days=2)).isoformat(),
        **changes,
    }
    return wechat.client.post("/api/v1/care", json=entry, headers=headers)  # type: ignore[return-value]


def _order(delivered: list[Delivery], words: str) -> list[str]:
    return [d.recipient for d in delivered if words in d.text and d.channel != "group_robot"]


def test_an_outage_and_an_emergency_reach_the_registered_elder_first(
    wechat: WeChatSim,
    demo: None,
    engine: Engine,
    clock: ManualClock,
    admin_headers: dict[str, str],
    fake_wechat: FakeWeChat,
    outbox_worker: DeliveryWorker,
) -> None:
    refused = _register(wechat, admin_headers, clock, consent_name="")
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "consent_name"
    assert _register(wechat, admin_headers, clock, room="9999").json()["detail"]["field"] == "flat"
    created = _register(wechat, admin_headers, clock)
    assert created.status_code == 201, created.text
    assert created.json()["flat"] == "3栋1单元302" and created.json()["consent"]["by"] == "guardian"
    assert _register(wechat, admin_headers, clock).status_code == 200  # the same entry, updated
    listed = wechat.client.get("/api/v1/care", headers=admin_headers).json()
    assert [e["name"] for e in listed["items"]] == ["孟桂英", "刘桂芳"]  # the demo's, then hers

    notice = {
        "title": "3栋停水通知",
        "body": "因管道检修，明天 9:00-12:00 停水，请提前储水。",
        "category": "停水停电",
        "audience": {"buildings": ["3"]},
    }
    assert wechat.client.post("/api/v1/notices", json=notice, headers=admin_headers).status_code == 201
    deliver_all([outbox_worker], clock)
    delivered = fake_wechat.delivered()
    water = [d for d in delivered if "停水" in d.text and d.channel != "group_robot"]
    assert {d.recipient for d in water[:2]} == {ELDER, CONTACT}  # before any neighbour
    assert NEIGHBOUR in {d.recipient for d in water[2:]}
    assert len(_order(delivered, "管道检修")) == len(set(_order(delivered, "管道检修")))  # each once
    task = [d.text for d in delivered if d.recipient == HEAD and "关爱任务" in d.text]
    assert len(task) == 1 and "3栋1单元302的刘桂芳" in task[0] and "黄志明 13803510062" in task[0]

    seen = len(fake_wechat.delivered())
    reply = wechat.send(NEIGHBOUR, "3栋1单元楼道着火了，好大的烟")
    assert "119" in reply and "应急避难场所：社区广场（东门内）" in reply
    deliver_all([outbox_worker], clock)
    emergency = fake_wechat.delivered()[seen:]
    people = [d.recipient for d in emergency if d.channel != "group_robot"]
    assert set(people[:2]) == {ELDER, CONTACT}  # ahead of the responders' alerts
    to_contact = next(d.text for d in emergency if d.recipient == CONTACT)
    assert "刘桂芳" in to_contact and "社区广场（东门内）" in to_contact
    checks = [d.text for d in emergency if d.recipient == HEAD and "关爱任务" in d.text]
    assert len(checks) == 1 and "刘桂芳" in checks[0] and "撤离" in checks[0]
    assert any(d.recipient == HEAD and "【紧急】" in d.text for d in emergency)  # her alert as usual
    assert not any("孟桂英" in d.text for d in fake_wechat.delivered())  # 2栋's elder: untouched
