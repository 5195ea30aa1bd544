"""A resident answers the activity list in her own words, and the sign-up follows.

王秀兰 asks what is on and answers 「义诊那个，我想去量量血压」 or 「周四晚上那个」 instead of
「报名 1」: the sign-up for that one is prepared and she is asked to confirm. She names an activity
loosely (「清扫楼道」), or one the community doesn't have (「理发」), and then chooses by its day and
time among those shown (「这周六那场」「下周六上午那场」). What she says next that picks nothing is
handled as ever. Later, 「那天要带孙子去打疫苗，取消吧」 with nothing open cancels her sign-up.
(Stories health-check-signup, points-then-sweep-signup and haircut-signup-cancel of
``heldout_stories_14.toml``, and more in other words.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from models.activities import create_activity
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
# The demo's activities, with the clock on Monday 23 November 2026, 09:30 in Beijing:
# 夜间治安巡逻 Thursday 26th 19:30, 社区义诊 Saturday 28th 09:00, 楼道卫生大扫除 Sunday 29th 14:00.


def test_the_list_answered_by_a_name_and_a_reason(wechat: WeChatSim, demo: None) -> None:
    assert "社区义诊" in wechat.send(WANG, "最近有什么活动吗")
    reply = wechat.send(WANG, "义诊那个，我想去量量血压")
    assert "确认报名" in reply and "社区义诊" in reply
    assert "报名成功" in wechat.send(WANG, "确认")
    assert "不客气" in wechat.send(WANG, "谢谢啦")
    assert "社区义诊" in wechat.send(WANG, "我的报名")


def test_a_loose_name_finds_the_activity_and_a_wrong_day_is_pointed_out(
    wechat: WeChatSim, demo: None
) -> None:
    assert "积分" in wechat.send(WANG, "我的积分还有多少")
    wechat.send(WANG, "够换一桶油吗")
    reply = wechat.send(WANG, "那我再报个名清扫楼道，多攒点分")
    assert "确认报名" in reply and "楼道卫生大扫除" in reply
    reply = wechat.send(WANG, "这周六那场")  # it is on Sunday
    assert "11月29日（周日）" in reply and "不是您说的那天" in reply
    assert "报名成功" in wechat.send(WANG, "是")


def test_several_that_a_loose_name_fits_are_listed_and_chosen_by_day(
    wechat: WeChatSim, demo: None, engine: Engine
) -> None:
    with Session(engine) as session, session.begin():
        create_activity(
            session,
            title="单元楼道保洁",
            kind="环境卫生",
            starts_at=datetime.fromisoformat("2026-11-28T14:00:00+08:00"),
            place="3栋楼下",
            capacity=5,
            points=2,
            now=wechat.clock.now(),  # type: ignore[attr-defined]
        )
    reply = wechat.send(WANG, "那我再报个名清扫楼道，多攒点分")
    assert "楼道卫生大扫除" in reply and "单元楼道保洁" in reply and "社区义诊" not in reply
    assert "确认报名" not in reply
    reply = wechat.send(WANG, "这周六那场")
    assert "确认报名" in reply and "单元楼道保洁" in reply and "11月28日" in reply
    assert "报名成功" in wechat.send(WANG, "是")


def test_an_activity_not_on_then_chosen_by_day_and_cancelled_with_a_reason(
    wechat: WeChatSim, demo: None
) -> None:
    reply = wechat.send(WANG, "帮我报个名，下周六的理发活动，给我家老头报")
    assert "没有「理发」" in reply and "社区义诊" in reply and "楼道卫生大扫除" in reply
    reply = wechat.send(WANG, "下周六上午那场")
    assert "确认报名" in reply and "社区义诊" in reply
    assert "报名成功" in wechat.send(WANG, "是")
    assert "积分" in wechat.send(WANG, "我的积分")
    reply = wechat.send(WANG, "哎呀那天要带孙子去打疫苗，取消吧")
    assert "已取消「社区义诊」的报名" in reply and "近期志愿活动" not in reply
    assert "没有报名" in wechat.send(WANG, "我的报名")


def test_other_ways_of_choosing_from_the_list(wechat: WeChatSim, demo: None) -> None:
    for choose, title in (
        ("周四晚上那个", "夜间治安巡逻"),
        ("28号上午的吧", "社区义诊"),
        ("就最后一个", "楼道卫生大扫除"),
        ("报名 2", "夜间治安巡逻"),
        ("巡逻那个算我一个", "夜间治安巡逻"),
    ):
        assert "近期志愿活动" in wechat.send(WANG, "有啥志愿活动")
        reply = wechat.send(WANG, choose)
        assert "确认报名" in reply and title in reply, choose
        wechat.send(WANG, "取消")


def test_what_picks_nothing_after_the_list_is_handled_as_ever(wechat: WeChatSim, demo: None) -> None:
    assert "近期志愿活动" in wechat.send(WANG, "最近有什么活动吗")
    reply = wechat.send(WANG, "我的积分还有多少")
    assert "您现在有" in reply and "确认报名" not in reply
    assert "确认报名" not in wechat.send(WANG, "周四晚上那个")  # the list is no longer pending
    assert "近期志愿活动" in wechat.send(WANG, "最近有什么活动吗")
    reply = wechat.send(WANG, "楼道的灯坏了，一直不亮")  # a repair, not 楼道卫生大扫除
    assert "确认报名" not in reply and "大扫除" not in reply


def test_a_stop_right_after_signing_up_cancels_that_one(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我报名夜间治安巡逻")
    wechat.send(WANG, "是")
    wechat.clock.advance(hours=2)  # type: ignore[attr-defined]
    wechat.send(WANG, "有什么活动")
    wechat.send(WANG, "义诊那个")
    assert "报名成功" in wechat.send(WANG, "是")
    reply = wechat.send(WANG, "周六家里来客人，不去了")
    assert "已取消「社区义诊」" in reply
    assert "夜间治安巡逻" in wechat.send(WANG, "我的报名")


def test_a_bare_stop_with_nothing_open_cancels_no_sign_up(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我报名社区义诊")
    wechat.send(WANG, "是")
    assert "没有进行中" in wechat.send(WANG, "取消")
    assert "社区义诊" in wechat.send(WANG, "我的报名")


def test_a_list_left_long_ago_is_not_answered(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "最近有什么活动吗")
    wechat.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    assert "确认报名" not in wechat.send(WANG, "第二个")
