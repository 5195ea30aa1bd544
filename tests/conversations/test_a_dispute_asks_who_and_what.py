"""The dispute form puts each answer where it belongs: 「隔壁702」 is who, 「天天半夜装修很吵」 is
what, whichever question was asked; 「我要投诉邻居」 says neither where nor what."""

from __future__ import annotations

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_the_neighbours_flat_is_who_not_what_one_wants(wechat: WeChatSim, demo: None) -> None:
    assert "对方在哪里" in wechat.send(WANG, "我要投诉邻居")
    assert "什么事" in wechat.send(WANG, "隔壁702")
    assert "怎么解决" in wechat.send(WANG, "天天半夜装修很吵")
    confirm = wechat.send(WANG, "晚上十点以后别装修了")
    assert "对方：隔壁702" in confirm
    assert "事情：天天半夜装修很吵" in confirm
    assert "您的诉求：晚上十点以后别装修了" in confirm


def test_what_happens_told_when_asked_where_is_kept_as_the_matter(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我要投诉邻居")
    assert "对方在哪里" in wechat.send(WANG, "天天半夜装修很吵")
    assert "怎么解决" in wechat.send(WANG, "隔壁702")
    confirm = wechat.send(WANG, "晚上十点以后别装修了")
    assert "对方：隔壁702" in confirm
    assert "事情：天天半夜装修很吵" in confirm


def test_a_flat_given_when_asked_what_one_wants_is_who(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "投诉楼上天天半夜剁肉")
    reply = wechat.send(WANG, "3栋2单元602")
    assert "怎么解决" in reply
    confirm = wechat.send(WANG, "晚上别剁了")
    assert "对方：3栋2单元602" in confirm
    assert "您的诉求：晚上别剁了" in confirm
