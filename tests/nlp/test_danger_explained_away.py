"""Smoke or a smell explained by what it really is, and danger told in a twelfth writer's words.

A danger denied and its harmless source told after it (「不是着火，是烧烤摊」) explains the smoke
told before; a danger told after the 是 still counts. From set 12 (its development set) and a
stranger's trial: a shock felt through a tap, water reaching the fuse box or a flickering lamp
under a leak, a flame that will not go out, a crack that keeps sounding, a hotpot shop on fire.
"""

from __future__ import annotations

import pytest

from bot.policy import danger
from nlp import understand

EXPLAINED = [
    "楼下好多烟，不是着火，是一楼门口那个烧烤摊，熏死人了",
    "屋里有股怪味，不是煤气，是下水道返上来的臭味",
    "楼下那家天天煤气味 也不是煤气 就是炖肉的味 烦死了",
    "喂有人在没得",
    "昨天5栋那边着火了，是怎么引起的，以后我们要怎么防",
    "单元门口的灭火器箱锁坏了 门关不上",
]

STILL_DANGER = [
    "不是煤气 是着火了",
    "好大的烟 不是着火 是电线在冒火花",
    "不是烧烤 是真着火了 好大的烟",
    "电热水器漏电，我一摸水龙头就麻手",
    "楼上漏水漏得跟下雨一样，电闸那里也在滴水",
    "楼上漏谁漏得像下雨，灯在闪",
    "燃气灶关不熄了 火一直燃起 旋钮拧不动",
    "墙上有裂逢，一直在响",
    "楼下火锅店qi火了，火好大",
]


@pytest.mark.parametrize("text", EXPLAINED)
def test_what_is_explained_or_only_asked_is_no_alarm(text: str) -> None:
    assert danger(understand(text), text) is None


@pytest.mark.parametrize("text", STILL_DANGER)
def test_danger_told_these_ways_alarms(text: str) -> None:
    assert danger(understand(text), text) is not None
