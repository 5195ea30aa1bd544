"""Choosing a volunteer activity by a name the community doesn't have is told so, with what there is.

王秀兰 asks to sign up for snow clearing (「我报扫雪那个」), which is not on: she is told there is
no 「扫雪」 activity and which ones there are, by number; the same inside the sign-up form, and
choosing one of them by its number then signs her up.
"""

from __future__ import annotations

from tests.support.wechat import WeChatSim


def test_a_name_not_on_the_list_is_told_so(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "我报扫雪那个")
    assert "没有「扫雪」" in reply and "楼道卫生大扫除" in reply and "编号" in reply
    reply = wechat.send("demo-resident-wang", "嗯 就 报 清理车棚 那个")
    assert "没有「清理车棚」" in reply and "社区义诊" in reply
    assert "确认报名" in wechat.send("demo-resident-wang", "3")
    assert "报名成功" in wechat.send("demo-resident-wang", "是")


def test_inside_the_sign_up_form_too(wechat: WeChatSim, demo: None) -> None:
    assert "想报名哪个活动" in wechat.send("demo-resident-wang", "我想报名志愿者活动")
    reply = wechat.send("demo-resident-wang", "我报名扫雪那个")
    assert "没有「扫雪」" in reply and "没有看懂" not in reply and "夜间治安巡逻" in reply


def test_a_name_like_one_on_the_list_is_not_refused(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send("demo-resident-wang", "我报义诊那个")
    assert "没有「" not in reply
