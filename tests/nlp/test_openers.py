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
