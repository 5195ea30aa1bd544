"""The opening of a new report is that report, not a progress question about an old one."""

from __future__ import annotations

import pytest

from nlp import understand
from nlp.openers import opening


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("报修", "repair"),
        ("帮我报修", "repair"),
        ("嗯 那个 报修一下", "repair"),
        ("报修水管", "repair"),
        ("我要维修", "repair"),
        ("投诉噪音", "dispute"),
        ("我想投诉一下物业不作为", "dispute"),
    ],
)
def test_openings(text: str, intent: str) -> None:
    assert opening(text) == intent
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "报修了吗",
        "报修的进度",
        "报修两天了",
        "报修电话",
        "投诉过了",
        "维修基金",
        "维修师傅几点到",
        "我报修的",
    ],
)
def test_asking_after_a_report_is_no_opening(text: str) -> None:
    assert opening(text) is None
    assert understand(text).intent != "repair"


@pytest.mark.parametrize(
    "told",
    [
        "物业的师傅说明天来 等了一整天也没来 电话也不接 什么态度",
        "物业师傅上回来修完把我家木地板划了，还不认账",
    ],
)
def test_a_grievance_about_the_service_is_a_complaint(told: str) -> None:
    assert understand(told).intent == "dispute"


def test_a_no_show_asked_after_alone_stays_a_progress_question() -> None:
    assert understand("师傅说下午来，怎么还没来").intent == "progress"
