"""码上办 end to end: a resident scans a lift's code, sends a photo and their location; the staff's
push carries the photo's link and a map link, and the console page and the API show both."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.outbox import OutboxMessage
from models.tickets import Ticket
from tests.conftest import ADMIN_TOKEN
from tests.conversations.test_a_report_by_location import locate
from tests.conversations.test_a_report_by_qr_code import scan
from tests.support.console import console_login
from tests.support.wechat import WeChatSim, message_xml

LI = "demo-resident-li"
PHOTO = "https://mmbiz.qpic.cn/mmbiz_jpg/lift-door-stuck/0"


def photo(wechat: WeChatSim, openid: str, url: str) -> str:
    fields = {"PicUrl": url, "MediaId": "media-lift-1", "MsgId": wechat.next_msg_id()}
    data = wechat.reply(wechat.post(message_xml(openid, "image", wechat.now(), fields)))
    return "" if data is None else str(data.get("Content", ""))


def test_the_photo_and_location_reach_the_push_the_console_and_the_api(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    assert "3栋2单元电梯" in scan(wechat, LI, "spot:3-2-lift")
    assert "已收到照片（1/4）" in photo(wechat, LI, PHOTO)
    clock.advance(seconds=2)
    assert "地点改为「3栋2单元电梯」" in locate(wechat, LI, 37.86041, 112.54900)  # at that lift
    confirm = wechat.send(LI, "电梯门夹人，关不上")
    assert "照片：1 张" in confirm and "地点：3栋2单元电梯（已附定位）" in confirm
    assert "已登记报修单" in wechat.send(LI, "是")

    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        pushes = list(
            session.exec(
                select(OutboxMessage.text)
                .where(OutboxMessage.kind == "ticket")
                .order_by(col(OutboxMessage.id))
            )
        )
    assert ticket.photos == [PHOTO] and ticket.spot_id is not None
    staff_push = next(text for text in pushes if ticket.code in text and "3栋2单元电梯" in text)
    assert PHOTO in staff_push and "照片 1 张" in staff_push
    assert "定位：https://uri.amap.com/marker?position=112.549000,37.860410" in staff_push

    console_login(wechat.client, ADMIN_TOKEN)
    page = wechat.client.get(f"/console/tickets/{ticket.id}").text
    assert f'<img src="{PHOTO}"' in page and 'id="scanned">扫码报修' in page
    assert "https://uri.amap.com/marker?position=112.549000,37.860410" in page and "在地图上查看" in page

    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = wechat.client.get(f"/api/v1/tickets/{ticket.id}", headers=headers).json()
    assert body["photos"] == [PHOTO] and body["spot_id"] == ticket.spot_id
    assert (body["latitude"], body["longitude"]) == (37.86041, 112.549)
    assert body["map_link"].startswith("https://uri.amap.com/marker?position=112.549000,37.860410")
    listed = wechat.client.get("/api/v1/tickets", headers=headers).json()["items"][0]
    assert listed["map_link"] == body["map_link"] and listed["photos"] == [PHOTO]
