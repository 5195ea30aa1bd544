"""Danger told in shapes the cue list once missed, and everyday talk that only sounds like danger.

Alarms: someone still shut in after "nobody is hurt, but…", the lift named before its passenger
across a denial, a shock that put someone on the floor, a gas flame that will not shut off,
someone fallen into a pit, someone outside a rooftop rail, a gaping wound, a wall that cracked
with a snap, a unit hanging by half a bracket, smoke rising from the basement.
No alarms: a danger asked about under a condition, anger told as fire, asking when someone comes,
a spark that is over and things work now, a smell that turned out to be cooking, a child said to
be fine, a lift named only as a landmark (「电梯口」 is a place, not a word of danger).
"""

from __future__ import annotations

import pytest

from bot.policy import danger
from nlp import understand
from nlp.evidence import hint

HAPPENING = [
    "没人受伤，可是电梯里还困着两个人",
    "电梯倒不是坏了，是里头还有个人",
    "我老伴被电了一下，躺地上不动了",
    "燃气灶的火关不掉了，总阀也拧不动",
    "有个老人掉下沟里了，爬不上来",
    "有个人坐在楼顶栏杆外面，谁劝都不听",
    "孙子摔在玻璃上，胳膊划了个大口子",
    "客厅墙上咔嚓一声，裂开一条缝还在掉灰",
    "楼上空调外机支架断了一半，机器吊在那晃",
    "地下室往上冒烟，楼梯都看不清了",
    "楼道电线被人扯下来了，正在冒火",
    "老人把自个儿锁卧室里了，叫也不开门",
]

NOT_HAPPENING = [
    "要是有人被困在电梯里，该打哪个电话",
    "万一我出门了老伴犯病我又不在家，物业能帮忙吗",
    "我这股火噌噌往上冒，要炸了，又有人把垃圾堆在楼道",
    "报修好几天了，啥时候来人啊",
    "上午插座打了一下火花跳闸了，现在用着也正常，想找电工看看",
    "刚才闻到点煤气味，原来是邻居在煮东西，没事儿了",
    "孩子没事，在邻居家呢，就是门锁得赶紧换",
    "车库漏水的地方在B区靠电梯口那边",
]


@pytest.mark.parametrize("text", HAPPENING)
def test_danger_in_another_shape_alarms(text: str) -> None:
    assert danger(understand(text), text) is not None


@pytest.mark.parametrize("text", NOT_HAPPENING)
def test_talk_that_only_sounds_like_danger_is_no_alarm(text: str) -> None:
    assert danger(understand(text), text) is None


def test_a_lift_named_as_a_place_is_no_word_of_danger() -> None:
    assert hint("在B区，靠电梯口那边", distress=False) is None
    assert hint("电梯卡住了", distress=False) is not None
