"""码上办: a resident scans the QR code on a lift (or follows the account by scanning it) and the
repair starts with that lift as its place; what they say next is heard as usual."""

from __future__ import annotations

import re

from bot.clock import ManualClock
from models.tickets import TicketKind
from tests.conftest import SAMPLES
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def _sample(name: str, *, openid: str, scene: str, now: int) -> str:
    """WeChat's own sample event, addressed from ``openid`` with the scene of our code."""
    xml = (SAMPLES / name).read_text(encoding="utf-8")
    xml = re.sub(r"<FromUserName><!\[CDATA\[.*?\]\]>", f"<FromUserName><![CDATA[{openid}]]>", xml)
    xml = re.sub(r"<EventKey><!\[CDATA\[(qrscene_)?.*?\]\]>", rf"<EventKey><![CDATA[\g<1>{scene}]]>", xml)
    return re.sub(r"<CreateTime>\d+</CreateTime>", f"<CreateTime>{now}</CreateTime>", xml)


def scan(wechat: WeChatSim, openid: str, scene: str, sample: str = "mp-event-SCAN.xml") -> str:
    data = wechat.reply(wechat.post(_sample(sample, openid=openid, scene=scene, now=wechat.now())))
    return "" if data is None else str(data.get("Content", ""))


def test_scanning_a_lift_starts_a_repair_at_that_lift(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = scan(wechat, WANG, "spot:3-2-lift")
    assert "您在「3栋2单元电梯」扫码报修" in reply and "描述一下问题" in reply
    confirm = wechat.send(WANG, "电梯门关不上，一直响")
    assert "地点：3栋2单元电梯" in confirm and "类别：电梯" in confirm
    assert "已登记报修单" in wechat.send(WANG, "是")
    (ticket,) = observed.tickets(TicketKind.repair)
    assert ticket.place == "3栋2单元电梯" and ticket.category == "电梯" and ticket.spot_id is not None


def test_a_new_follower_scanning_is_welcomed_and_the_repair_starts(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    reply = scan(wechat, "o-new-follower", "spot:east-gate", sample="mp-event-subscribe-qrscene.xml")
    assert "欢迎关注" in reply and "您在「小区东门」扫码报修" in reply
    assert "是什么问题" in reply  # a gate can be anything: the bot asks what is wrong
    assert "请先绑定房屋" not in reply  # the report first; binding can wait
    confirm = wechat.send("o-new-follower", "道闸抬不起来了，车出不去")
    assert "地点：小区东门" in confirm
    assert "已登记报修单" in wechat.send("o-new-follower", "是")
    (ticket,) = observed.tickets(TicketKind.repair)
    assert ticket.place == "小区东门"


def test_someone_trapped_in_the_scanned_lift_is_an_emergency(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    scan(wechat, WANG, "spot:3-2-lift")
    wechat.send(WANG, "电梯突然停了，里面有人被困出不来")
    assert len(observed.tickets(TicketKind.emergency)) == 1  # the policy's rule 1, as anywhere
    assert observed.tickets(TicketKind.repair) == []


def test_a_code_we_do_not_know_is_not_a_report(
    wechat: WeChatSim, demo: None, observed: Observed, clock: ManualClock
) -> None:
    assert "没有登记对应的地点" in scan(wechat, WANG, "spot:nowhere")
    clock.advance(seconds=5)  # an event's dedupe key is its sender, time and name
    assert scan(wechat, WANG, "SCENE_VALUE") == ""  # another campaign's code: nothing to say
    assert observed.tickets(TicketKind.repair) == []
    assert "欢迎关注" in scan(wechat, "o-other", "123123", sample="mp-event-subscribe-qrscene.xml")


def test_a_scan_puts_an_open_form_aside_and_it_comes_back(
    wechat: WeChatSim, demo: None, observed: Observed, clock: ManualClock
) -> None:
    first = wechat.send(WANG, "楼上邻居天天半夜跺脚，吵得睡不着")
    assert observed.tickets(TicketKind.dispute) == [] and first  # the dispute form asks something
    clock.advance(seconds=5)
    assert "您在「3栋2单元电梯」扫码报修" in scan(wechat, WANG, "spot:3-2-lift")
    wechat.send(WANG, "电梯按钮不亮")
    assert "已登记报修单" in wechat.send(WANG, "是")
    assert "接着办「纠纷调解」" in wechat.send(WANG, "继续")
