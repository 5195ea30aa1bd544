"""「我还欠多少物业费」 is a resident's own question, answered from a verified home; general questions
about fees (「物业费怎么交」, a repair that mentions them) are not taken from 咨询 or the repair."""

from __future__ import annotations

import re

import pytest

from handlers.fees import ASKED
from tests.support.wechat import WeChatSim

OWN = [
    "我家物业费交到什么时候了",
    "我还欠多少物业费",
    "物业费",
    "我家欠费吗",
    "停车费交了没有",
    "查一下我家的物业费",
]
GENERAL = [
    "物业费怎么交",
    "物业费可以拖欠吗",
    "欠费会停水吗",
    "物业费收支明细公开了吗",
    "楼道灯坏了麻烦修一下，还有顺便问下这个月物业费交了没有",
    "房子还没交到我手上，物业就让我把前几个月的物业费补上，合理吗",
]


@pytest.mark.parametrize(("text", "own"), [(t, True) for t in OWN] + [(t, False) for t in GENERAL])
def test_only_a_question_about_ones_own_fees_is_taken(text: str, own: bool) -> None:
    assert (re.fullmatch(ASKED, text) is not None) is own


def test_someone_with_no_home_on_the_books_is_asked_to_bind_first(demo: None, wechat: WeChatSim) -> None:
    reply = wechat.send("newcomer-fees", "我还欠多少物业费")
    assert "先绑定房屋" in reply
