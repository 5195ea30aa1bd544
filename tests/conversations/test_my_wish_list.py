"""「我的心愿单」 / 「我认领的心愿」: a member sees what they hold and what waits in their 责任区;
a resident sees their own wishes and where they stand; the phrase never files a new wish."""

from __future__ import annotations

from sqlmodel import Session, func, select

from models.wishes import Wish
from tests.support.wechat import WeChatSim

ELDER = "demo-elder-liu"  # 刘桂芳, 3栋1单元302
GAO = "demo-party-gao"  # 高建华, 责任区 3栋
QIAN = "demo-party-qian"  # 钱卫东, 责任区 1、2栋


def test_a_member_s_list_shows_open_then_claimed_wishes_and_the_resident_sees_hers(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    assert "收到了" in wechat.send(ELDER, "我有个微心愿，想请人帮我换一下厨房的灯泡")
    session.rollback()
    code = session.exec(select(Wish)).one().code
    assert "已发布" in wechat.send("demo-secretary-zhou", f"通过心愿 {code}")

    listed = wechat.send(GAO, "我的心愿单")
    assert "责任区待认领" in listed and code in listed and "灯泡" in listed and "您认领的" not in listed
    assert "认领成功" in wechat.send(GAO, f"认领心愿 {code}")

    mine = wechat.send(GAO, "我认领的心愿")
    assert f"{code}（已认领）" in mine and "心愿完成了" in mine and "待认领" not in mine
    assert "没有认领的微心愿" in wechat.send(QIAN, "我的心愿单")

    assert f"{code}（已认领）" in wechat.send(ELDER, "我的心愿单")
    assert "还没有许过微心愿" in wechat.send("demo-resident-wang", "我的心愿单")
    session.rollback()
    assert session.exec(select(func.count()).select_from(Wish)).one() == 1


def test_asking_after_one_s_wish_shows_where_it_stands(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    assert "收到了" in wechat.send(ELDER, "我有个微心愿，想请人帮我换一下厨房的灯泡")
    reply = wechat.send(ELDER, "上个月提的那个微心愿，有人认领了吗")
    assert "灯泡" in reply and "收到了" not in reply
    session.rollback()
    assert session.exec(select(func.count()).select_from(Wish)).one() == 1  # no second wish filed
