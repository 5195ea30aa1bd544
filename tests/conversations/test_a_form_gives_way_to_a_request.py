"""A form waiting for an answer gives way to a request of its own kind (「我的积分」 while choosing a
gift, 「我的报名」 while choosing an activity): the request is answered and the form offered back,
as a question is. Only what answers the form goes to it (trial report 2026-12-01 §7.3)."""

from __future__ import annotations

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
OFFERED_BACK = "还没办完，回复「继续」接着办"


def test_my_points_inside_the_gift_form_is_the_balance(wechat: WeChatSim, demo: None) -> None:
    assert "积分不够" in wechat.send(WANG, "我想换个午餐券")
    reply = wechat.send(WANG, "我的积分")
    assert "没有找到" not in reply and "您现在有" in reply
    assert "「积分兑换」" + OFFERED_BACK in reply
    assert "想兑换什么" in wechat.send(WANG, "继续")


def test_my_orders_inside_the_gift_form_are_the_orders(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我想换个午餐券")
    reply = wechat.send(WANG, "我的兑换")
    assert "没有找到" not in reply and "兑换记录" in reply and OFFERED_BACK in reply


def test_a_yes_that_answers_nothing_does_not_repeat_the_whole_list(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我想换个午餐券")
    reply = wechat.send(WANG, "是")
    assert "编号或名称" in reply and "【1】" not in reply and "取消" in reply


def test_my_sign_ups_inside_the_sign_up_form_are_listed(wechat: WeChatSim, demo: None) -> None:
    assert "想报名哪个活动" in wechat.send(WANG, "我想报名志愿活动")
    reply = wechat.send(WANG, "我的报名")
    assert "想报名哪个活动" not in reply and "报名的活动" in reply
    assert "「活动报名」" + OFFERED_BACK in reply


def test_a_gift_named_inside_the_form_is_still_the_answer(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我想换个午餐券")
    assert "「洗衣液」需要 10 积分" in wechat.send(WANG, "用积分换洗衣液")
