"""Everyday wordings of things the bot does (trial report 2026-12-01 §8.10 and the known misses of
set 6): a relative introducing themselves with a phone, a redemption with quantities, an activity
chosen by a piece of its name."""

from __future__ import annotations

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
NEWCOMER = "newcomer-relative"


def test_a_relative_introducing_themselves_leaves_a_name_and_phone(wechat: WeChatSim, demo: None) -> None:
    wechat.send(NEWCOMER, "我住3栋1单元302")
    reply = wechat.send(NEWCOMER, "我是刘桂芳的儿子 刘强 电话13500001111")
    assert "没太明白" not in reply and "13500001111" in reply


def test_a_redemption_with_quantities_names_the_gift(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "就换两袋卫生纸一瓶洗衣液")
    assert "「洗衣液」" in reply and "累计参加志愿活动" not in reply


def test_an_activity_chosen_by_a_piece_of_its_name(wechat: WeChatSim, demo: None) -> None:
    assert "想报名哪个活动" in wechat.send(WANG, "我想报名志愿活动")
    reply = wechat.send(WANG, "那就报周日下午的楼道卫生那个")
    assert "确认报名" in reply and "楼道卫生大扫除" in reply


def test_a_hello_from_a_new_tenant_is_welcomed(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("newcomer-tenant", "你好，我刚租到这个小区")
    assert reply.startswith("您好") and "报修" in reply
