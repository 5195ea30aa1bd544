"""Binding a new follower to a room through chat."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.outbound.worker import DeliveryWorker
from models.outbox import OutboxMessage
from models.people import BindingRequest, Person, person_by_openid
from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat import WeChatSim


def test_subscribe_welcomes_and_asks_where_the_person_lives(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.event("newcomer", "subscribe")
    assert "欢迎关注阳光里社区红管家" in reply
    assert "住在哪里" in reply


def test_a_free_room_is_claimed_at_once_in_one_message(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.event("newcomer", "subscribe")
    reply = wechat.send("newcomer", "我住2栋1单元402")
    assert "已收到您的登记" in reply and "2栋1单元402" in reply
    assert "楼栋长核实后即可参与投票和兑换" in reply
    person = person_by_openid(session, "newcomer")
    assert person is not None and person.room_id is not None
    assert not person.is_owner  # a claim: not the owner of record until verified


def test_missing_parts_are_asked_for_one_by_one(wechat: WeChatSim, demo: None, session: Session) -> None:
    assert "住在哪里" in wechat.send("newcomer", "绑定")
    assert "几单元" in wechat.send("newcomer", "5栋602")
    assert "已收到您的登记" in wechat.send("newcomer", "2")
    home = wechat.send("newcomer", "我的房屋")
    assert "5栋2单元602" in home and "等待楼栋长核实" in home


def test_unknown_building_is_re_asked_with_the_known_ones(wechat: WeChatSim, demo: None) -> None:
    wechat.send("newcomer", "绑定")
    reply = wechat.send("newcomer", "9栋1单元101")
    assert "没有找到「9」栋" in reply and "1、2、3、5" in reply
    assert "已收到您的登记" in wechat.send("newcomer", "3栋1单元201")


def test_a_unit_the_building_does_not_have_is_re_asked_not_sent_to_the_admin(
    wechat: WeChatSim, demo: None
) -> None:
    reply = wechat.send("newcomer-unit", "我住3栋5单元301")
    assert "3栋没有5单元" in reply and "1、2" in reply and "管理员" not in reply
    assert "3栋1单元301" in wechat.send("newcomer-unit", "那就3栋1单元301吧")


def test_a_claim_on_a_room_with_an_owner_asks_the_building_head_with_the_owner_named(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send("newcomer", "绑定")
    reply = wechat.send("newcomer", "3栋2单元502")
    assert "已收到您的登记" in reply and "家庭成员" in reply  # the flat has a verified owner
    head = session.exec(select(Person).where(Person.openid == "demo-head-chen")).one()
    push = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == head.id)).one()
    assert "3栋2单元502" in push.text and "王秀兰" in push.text and "家庭成员" in push.text
    assert "核实 B" in push.text and "通过" in push.text and "不通过" in push.text


def test_the_building_head_is_told_of_a_claim_through_the_outbox(
    wechat: WeChatSim, demo: None, fake_wechat: FakeWeChat, outbox_worker: DeliveryWorker
) -> None:
    wechat.send("newcomer", "我住3栋2单元502")
    assert outbox_worker.drain() == 1
    [delivered] = fake_wechat.delivered()
    assert (delivered.channel, delivered.recipient) == ("wecom_app", "wx-chenhongmei")
    assert "【住户核实" in delivered.text and "3栋2单元502" in delivered.text


def test_a_claim_in_a_building_without_a_head_goes_to_the_admins(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send("newcomer", "我住2栋1单元402")
    admin = session.exec(select(Person).where(Person.openid == "demo-admin-wu")).one()
    push = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == admin.id)).one()
    assert "2栋1单元402" in push.text and "业主" in push.text


def test_a_room_not_on_file_becomes_a_request(wechat: WeChatSim, demo: None, session: Session) -> None:
    wechat.send("newcomer", "绑定")
    reply = wechat.send("newcomer", "3栋2单元1502")
    assert "暂时没有" in reply
    assert session.exec(select(BindingRequest)).one().reason == "no_such_room"


def test_cancel_drops_the_form(wechat: WeChatSim, demo: None) -> None:
    wechat.send("newcomer", "绑定")
    assert "已取消「房屋绑定」" in wechat.send("newcomer", "取消")
    assert "没有进行中的事项" in wechat.send("newcomer", "取消")


def test_an_idle_form_times_out_politely(wechat: WeChatSim, demo: None, clock: ManualClock) -> None:
    wechat.send("newcomer", "绑定")
    clock.advance(timedelta(hours=2))
    reply = wechat.send("newcomer", "你好")
    assert "已自动取消" in reply


def test_an_emergency_interrupts_the_form(wechat: WeChatSim, demo: None) -> None:
    wechat.send("newcomer", "绑定")
    reply = wechat.send("newcomer", "救命啊家里着火了")
    assert "119" in reply and "房屋绑定" not in reply  # nothing else in the way of the guidance
    assert "具体在哪里" in wechat.send("newcomer", "13800001111")  # a callback number, then the place
    asked_place = wechat.send("newcomer", "就在3栋2单元门口")
    assert "转告处置人员" in asked_place
    resumed = wechat.send("newcomer", "继续")
    assert "接着办「房屋绑定」" in resumed and "住在哪里" in resumed


def test_saying_where_you_live_out_of_the_blue_binds_rather_than_opens_a_repair(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    reply = wechat.send("drifter", "我住2栋1单元402")  # no form open: the NLU alone calls it a repair
    assert "已收到您的登记" in reply and "2栋1单元402" in reply
    assert "什么问题" not in reply
    with_a_problem = wechat.send("another", "我住3栋2单元502，厨房漏水")
    assert "请确认报修" in with_a_problem


def test_bind_followed_by_the_address_claims_it_in_one_message(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.event("newcomer", "subscribe")
    reply = wechat.send("newcomer", "绑定 2栋1单元402")
    assert "已收到您的登记" in reply and "2栋1单元402" in reply
    person = person_by_openid(session, "newcomer")
    assert person is not None and person.room_id is not None
    assert "住在哪" in wechat.send("another-newcomer", "绑定")  # the bare word still asks
