"""The console's 微心愿 page asks once, naming the members a wish will reach, before it publishes;
the 党组织与党员 page shows the tree with each member's 责任区, post and 双报到 unit."""

from __future__ import annotations

from sqlmodel import Session, select

from models.wishes import Wish, WishStatus
from tests.bot.test_web_console import _login
from tests.support.community import pushes_to
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

ELDER = "demo-elder-liu"


def test_publishing_a_wish_names_whom_it_reaches_and_sends_nothing_before_the_confirm(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.send(ELDER, "我有个微心愿，想请人帮我读读孙子寄来的信")
    _login(wechat)
    listed = wechat.client.get("/console/wishes").text
    assert "W1" in listed and "3栋1单元的刘桂芳" in listed and "读读孙子寄来的信" in listed
    asked = wechat.client.post("/console/wishes/1/approve", data={})
    assert "会推送给 3 位责任区党员" in asked.text and "陈红梅" in asked.text and "钱卫东" not in asked.text
    assert not pushes_to(session, "高建华", "wish")  # asked, not sent
    done = confirm(wechat.client, asked)
    assert "W1 已发布，推送给了 3 位责任区党员" in done.text
    assert "「认领心愿 W1」" in pushes_to(session, "高建华", "wish")[-1]
    again = wechat.client.post("/console/wishes/1/approve", data={})  # another tab, pressed again
    assert "W1 现在待认领，没有改动" in confirm(wechat.client, again).text
    session.rollback()
    assert session.exec(select(Wish)).one().status == WishStatus.published


def test_declining_tells_the_resident_the_reason(wechat: WeChatSim, demo: None, session: Session) -> None:
    wechat.send(ELDER, "我有个微心愿，想要一台新冰箱")
    _login(wechat)
    asked = wechat.client.post("/console/wishes/1/decline", data={"reason": "超出了微心愿的范围"})
    assert "不通过的原因：超出了微心愿的范围" in asked.text and "刘桂芳会在微信里收到原因" in asked.text
    assert "W1 没有通过" in confirm(wechat.client, asked).text
    assert "没能发布：超出了微心愿的范围" in pushes_to(session, ELDER, "wish")[-1]


def test_the_party_page_shows_the_tree_and_each_member_s_area(wechat: WeChatSim, demo: None) -> None:
    _login(wechat)
    text = wechat.client.get("/console/party").text
    for words in (
        "阳光里社区党委",
        "网格党支部",
        "3栋党小组",
        "陈红梅党员中心户",
        "市第三人民医院",
        "健康服务先锋岗",
    ):
        assert words in text, words
    assert "3栋、5栋" in text and "3栋1单元" in text
    assert 'href="/console/party"' in text and 'href="/console/wishes"' in text
