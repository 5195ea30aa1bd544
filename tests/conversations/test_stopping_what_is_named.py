"""Stopping one thing among several by naming it (trial report 2026-12-01 §7.4, §8.9): 「午餐券不想要了
积分退给我」 cancels that redemption; 「夜间巡逻不去了」 with two sign-ups cancels the one named;
「催单」 with several open items asks which one instead of picking one silently."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from models.people import person_by_openid
from models.points import PointSource, credit
from tests.support.wechat import WeChatSim

ZHANG = "demo-resident-zhang"
WANG = "demo-resident-wang"


def _give_points(engine: Engine, clock: ManualClock, openid: str, amount: int = 50) -> None:
    with Session(engine) as session, session.begin():
        person = person_by_openid(session, openid)
        assert person is not None
        credit(
            session,
            person_id=person.id,  # type: ignore[arg-type]
            amount=amount,
            reason="测试积分",
            source=PointSource.admin,
            now=clock.now(),
        )


def _redeem(wechat: WeChatSim, who: str, gift: str) -> None:
    assert "确认用" in wechat.send(who, f"兑换{gift}")
    assert "领取码" in wechat.send(who, "是")


def test_a_gift_not_wanted_any_more_is_refunded(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    _give_points(engine, clock, WANG)
    _redeem(wechat, WANG, "午餐券")
    reply = wechat.send(WANG, "午餐券不想要了 积分退给我")
    assert "已取消兑换「幸福食堂午餐券」" in reply and "积分已退回" in reply


def test_of_two_gifts_the_one_named_is_refunded(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    _give_points(engine, clock, WANG)
    _redeem(wechat, WANG, "午餐券")
    _redeem(wechat, WANG, "洗衣液")
    reply = wechat.send(WANG, "洗衣液不要了 把积分退回来")
    assert "已取消兑换「洗衣液」" in reply
    assert "待领取" in wechat.send(WANG, "我的兑换")  # the lunch ticket is still waiting


def test_of_two_sign_ups_the_one_named_is_cancelled(wechat: WeChatSim, demo: None) -> None:
    for number in ("报名 2", "报名 1"):
        wechat.send(ZHANG, number)
        wechat.send(ZHANG, "是")
    reply = wechat.send(ZHANG, "夜间巡逻不去了")
    assert "多个活动" not in reply and "夜间治安巡逻" in reply and "取消" in reply
    mine = wechat.send(ZHANG, "我的报名")
    assert "社区义诊" in mine and "夜间治安巡逻" not in mine


def test_urging_with_several_open_items_asks_which(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "3栋2单元502厨房水管漏水")
    wechat.send(WANG, "是")
    wechat.send(WANG, "楼道灯坏了")
    wechat.send(WANG, "是")
    reply = wechat.send(WANG, "催单")
    assert "已催促" not in reply and "哪一件" in reply
    assert "水电" in reply and "照明" in reply
