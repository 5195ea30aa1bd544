"""Words that sound like a call for help but are not one, and the real calls beside them."""

from __future__ import annotations

import pytest

from bot.policy import danger
from nlp import understand


@pytest.mark.parametrize(
    "said",
    [
        "救命啊物业费又涨了？涨到多少了",  # dismay, then a question about fees
        "救命啊终于有人回我了，谢谢",  # relief and thanks
        "救命 积分怎么又少了",
        "我正楼上602，一个老头带着孙子住",  # who lives there, told to a dispute form
        "对门住的是一家三口",
        "喂 喂 有人没有",  # is anyone there to talk to
        "空调排水管接口断了，水顺着外墙流",  # an air-conditioner's drain, no burst main
    ],
)
def test_no_alarm(said: str) -> None:
    assert danger(understand(said), said) is None


@pytest.mark.parametrize(
    "said",
    [
        "救命啊 怎么办啊",  # nothing everyday named after the cry
        "救命 有人吗",
        "救命啊 楼上那家又打起来了",
        "楼道里堆的纸箱子着了",
        "家里漏电，摸水龙头手都发麻",
        "没人管啊，楼道里烟好大，呛死人了",
        "一个老头倒在楼道里叫不醒",  # a person, and what happened to him
    ],
)
def test_still_an_alarm(said: str) -> None:
    assert danger(understand(said), said) is not None


@pytest.mark.parametrize(
    "said",
    [
        "厨房那股味儿好冲 是不是漏气了 我头有点晕",  # 是不是 asks, it denies nothing
        "外墙的瓷砖掉下来了 差点砸到人",  # a near miss: more may fall
    ],
)
def test_asked_or_nearly_is_still_an_alarm(said: str) -> None:
    assert danger(understand(said), said) is not None


@pytest.mark.parametrize("sent", ["👍", "🙏🙏🙏", "🌹🌹"])
def test_a_friendly_sign_alone_is_a_greeting(sent: str) -> None:
    assert understand(sent).intent == "greeting"


def test_an_upset_face_is_not_greeted() -> None:
    assert understand("😡😡😡").intent == "unknown"
