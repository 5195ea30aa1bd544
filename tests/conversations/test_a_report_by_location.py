"""A location message: the open repair takes it as its place; with none open, a repair starts at
the nearest known place; the ticket keeps the coordinates."""

from __future__ import annotations

import re

from bot.clock import ManualClock
from models.tickets import TicketKind
from tests.conftest import SAMPLES
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

ZHANG = "demo-resident-zhang"


def locate(wechat: WeChatSim, openid: str, lat: float, lon: float, label: str = "位置信息") -> str:
    """WeChat's own sample location message, from ``openid`` at (lat, lon)."""
    xml = (SAMPLES / "mp-location.xml").read_text(encoding="utf-8")
    xml = re.sub(r"<FromUserName><!\[CDATA\[.*?\]\]>", f"<FromUserName><![CDATA[{openid}]]>", xml)
    xml = re.sub(r"<Location_X>.*?</Location_X>", f"<Location_X>{lat}</Location_X>", xml)
    xml = re.sub(r"<Location_Y>.*?</Location_Y>", f"<Location_Y>{lon}</Location_Y>", xml)
    xml = re.sub(r"<Label><!\[CDATA\[.*?\]\]>", f"<Label><![CDATA[{label}]]>", xml)
    xml = re.sub(r"<MsgId>\d+</MsgId>", f"<MsgId>{wechat.next_msg_id()}</MsgId>", xml)
    xml = re.sub(r"<CreateTime>\d+</CreateTime>", f"<CreateTime>{wechat.now()}</CreateTime>", xml)
    data = wechat.reply(wechat.post(xml))
    return "" if data is None else str(data.get("Content", ""))


def test_a_location_with_nothing_open_starts_a_report_at_the_nearest_place(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = locate(wechat, ZHANG, 37.86081, 112.55079)  # a few metres from the east gate
    assert "收到您的位置：小区东门" in reply and "是什么问题" in reply
    confirm = wechat.send(ZHANG, "门口路灯不亮了")
    assert "地点：小区东门（已附定位）" in confirm
    assert "已登记报修单" in wechat.send(ZHANG, "是")
    (ticket,) = observed.tickets(TicketKind.repair)
    assert ticket.place == "小区东门" and (ticket.latitude, ticket.longitude) == (37.86081, 112.55079)


def test_the_open_repair_takes_the_location_as_its_place(
    wechat: WeChatSim, demo: None, observed: Observed, clock: ManualClock
) -> None:
    assert "地点：5栋1单元601" in wechat.send(ZHANG, "路灯坏了")  # their home, by default
    clock.advance(seconds=3)
    reply = locate(wechat, ZHANG, 37.86022, 112.54881)  # by 3栋's bin point
    assert "地点改为「3栋南侧垃圾分类点」" in reply
    assert "地点：3栋南侧垃圾分类点（已附定位）" in reply  # asked to confirm again
    assert "已登记报修单" in wechat.send(ZHANG, "是")
    (ticket,) = observed.tickets(TicketKind.repair)
    assert ticket.latitude == 37.86022 and ticket.spot_id is not None


def test_far_from_every_known_place_the_address_wechat_gives_is_the_place(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = locate(wechat, ZHANG, 37.87, 112.56, label="迎泽大街与双塔西街交叉口")
    assert "收到您的位置：迎泽大街与双塔西街交叉口" in reply and "附近没有登记的楼栋或设施" in reply
