"""Which of the activities shown a resident's words pick (handlers.activity_choice), on its own."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from handlers.activity_choice import on_day, picked, the_one, unknown_name
from models.activities import Activity

MONDAY = date(2026, 11, 23)


def _activity(id_: int, title: str, starts: str) -> Activity:
    return Activity(id=id_, title=title, starts_at=datetime.fromisoformat(starts), capacity=5)


SHOWN = [
    _activity(2, "夜间治安巡逻", "2026-11-26T19:30:00+08:00"),
    _activity(1, "社区义诊", "2026-11-28T09:00:00+08:00"),
    _activity(4, "单元楼道保洁", "2026-11-28T14:00:00+08:00"),
    _activity(3, "楼道卫生大扫除", "2026-11-29T14:00:00+08:00"),
]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("报名 1", "社区义诊"),
        ("【3】", "楼道卫生大扫除"),
        ("第一个", "夜间治安巡逻"),
        ("最后那个", "楼道卫生大扫除"),
        ("义诊那个，我想去量量血压", "社区义诊"),
        ("周四晚上那个", "夜间治安巡逻"),
        ("这周六上午那场", "社区义诊"),
        ("下周六上午那场", "社区义诊"),  # no Saturday next week shown: the coming one
        ("11月28日下午的", "单元楼道保洁"),
        ("28号下午", "单元楼道保洁"),
        ("楼道那个，周日的", "楼道卫生大扫除"),
        ("星期天那个", "楼道卫生大扫除"),
    ],
)
def test_words_that_pick_one(text: str, title: str) -> None:
    chosen = the_one(text, SHOWN, today=MONDAY)
    assert chosen is not None and chosen.title == title


def test_a_loose_name_may_fit_several_and_a_day_narrows_them() -> None:
    both = picked("清扫楼道", SHOWN, today=MONDAY)
    assert both is not None and [a.title for a in both] == ["单元楼道保洁", "楼道卫生大扫除"]
    assert the_one("这周六那场", both, today=MONDAY) is SHOWN[2]


@pytest.mark.parametrize("text", ["我的积分还有多少", "好的", "这周六那场"])
def test_words_that_pick_none(text: str) -> None:
    listed = [SHOWN[0], SHOWN[3]]  # nothing on Saturday
    assert the_one(text, listed, today=MONDAY) is None


def test_by_day_off_reads_only_number_place_and_name() -> None:
    assert picked("下周六的活动", SHOWN, today=MONDAY, by_day=False) is None
    assert the_one("巡逻那个", SHOWN, today=MONDAY, by_day=False) is SHOWN[0]


def test_whether_the_day_said_is_the_activitys() -> None:
    assert on_day("这周六那场", SHOWN[3], today=MONDAY) is False
    assert on_day("周日那场", SHOWN[3], today=MONDAY) is True
    assert on_day("就这个", SHOWN[3], today=MONDAY) is None


def test_a_name_the_community_does_not_have() -> None:
    titles = [a.title for a in SHOWN]
    assert unknown_name("帮我报个名，下周六的理发活动，给我家老头报", titles) == "理发"
    assert unknown_name("我报扫雪那个", titles) == "扫雪"
    assert unknown_name("我想报名志愿者活动", titles) is None
    assert unknown_name("报名社区义诊活动", titles) is None
