"""normalise(): the canonical text every NLU step sees."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.normalise import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("３栋２单元５０２　厨房下水道堵了！！！", "3栋2单元502 厨房下水道堵了!"),
        ("电梯 坏 了😡😡", "电梯坏了"),
        ("\u200b你好\u200d\x07", "你好"),
        ("ＡＢＣ物业 Hello  World", "abc物业 hello world"),
        ("怎么办？？？", "怎么办?"),
        ("在吗。。。。", "在吗。"),
        ("\t\n 楼道灯坏了 \r\n", "楼道灯坏了"),
    ],
)
def test_examples(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize("noise", ["", "   ", "。。。", "？？？", "!!!", "😀😀", "\u200b\u200b", "……"])
def test_punctuation_or_symbol_only_becomes_empty(noise: str) -> None:
    assert normalise(noise) == ""


@given(st.text(max_size=60))
def test_idempotent_and_clean(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not any(ord(ch) < 32 for ch in once)
