"""Slips of the pinyin keyboard are mended before anything reads the message (nlp.spelling)."""

from __future__ import annotations

import pytest

from bot.policy import danger
from nlp import understand
from nlp.normalise import normalise
from nlp.spelling import correct


@pytest.mark.parametrize(
    "typed",
    [
        "meiqi味好重 我有点晕",  # pinyin typed out
        "mei qi味好重 我有点晕",
        "jiu ming 楼梯间着伙了",
        "厨房的油郭着了 扑不灭",
        "卫生间墙列了一条长封 一直在响",
        "燃汽管子那里漏汽了 嘶嘶的",
        "我妈率倒了 头在流雪",
        "孩子把门反所了 屋里冒眼",
        "二楼谁管暴了 水往下留",
    ],
)
def test_a_danger_typed_with_slips_raises_the_alarm(typed: str) -> None:
    nlu = understand(typed)
    assert nlu.intent == "emergency"
    assert danger(nlu, typed) is not None


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("明天停谁吗", "明天停水吗"),
        ("zhuanrengong", "转人工"),
        ("jifen怎么查", "积分怎么查"),
        ("物叶费一年多少", "物业费一年多少"),
        ("我要头诉楼上", "我要投诉楼上"),
        ("楼到灯不亮了", "楼道灯不亮了"),
    ],
)
def test_everyday_slips_read_as_meant(typed: str, meant: str) -> None:
    assert normalise(typed) == meant


@pytest.mark.parametrize(
    "written",
    [
        "接着或者明天再来",  # 着或 inside 接着或者
        "谁管这事啊",  # 谁管 is a question of its own
        "找谁报名",  # 谁 after no verb of water
        "这件事燃起了大家的热情",  # 燃起 is a word
        "物业费能调下来吗",  # 调 is to adjust
        "燃气灶没气了 打不着",  # 没气 is out of gas
        "厨房没气味 就是灶打不着",  # no smell at all
        "电梯维保",
    ],
)
def test_real_words_are_left_alone(written: str) -> None:
    assert correct(written) == written


@pytest.mark.parametrize("text", ["meiqi味很大", "墙列了一条大封", "孩子被所在家里冒眼了", "jiu ming"])
def test_mending_twice_changes_nothing(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
