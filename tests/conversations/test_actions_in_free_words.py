"""Sign-ups and redemptions done in the words people use, not only in command words."""

from __future__ import annotations

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_cancelling_a_sign_up_in_free_words(wechat: WeChatSim, demo: None) -> None:
    assert "确认报名" in wechat.send(WANG, "报名 1")
    assert "报名成功" in wechat.send(WANG, "是")
    reply = wechat.send(WANG, "取消社区义诊的报名")
    assert "已取消" in reply and "社区义诊" in reply
    assert "已经报名" not in reply


def test_redeeming_in_free_words_is_a_redemption_not_a_balance(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "用积分兑换洗衣液")
    assert "洗衣液" in reply and "累计参加志愿活动" not in reply


def test_wanting_something_unnamed_shows_the_gifts(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "我想用积分换点东西")
    assert "想兑换什么" in reply and "没有找到" not in reply


def test_a_new_phone_number_in_free_words(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "我换手机号了 新号码13912345678")
    assert "已改为 13912345678" in reply
    assert "就是 13912345678" in wechat.send(WANG, "电话改成13912345678")


def test_saying_who_you_are_records_the_number_and_alerts_no_one(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("newcomer-liu", "我叫刘洋，电话13812345678")
    assert "刘洋您好" in reply and "13812345678" in reply
    assert "转人工" not in reply and "网格员" not in reply


def test_a_surname_and_a_number_after_registering_are_understood(wechat: WeChatSim, demo: None) -> None:
    wechat.send("newcomer-ma", "我要找网格员")
    assert "登记" in wechat.send("newcomer-ma", "2栋1单元202")
    reply = wechat.send("newcomer-ma", "我姓马，电话13519876543")
    assert "13519876543" in reply and "没太明白" not in reply
