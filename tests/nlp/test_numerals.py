"""Chinese numerals and full-width digits to Arabic digit strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.numerals import parse_positional, to_arabic, to_halfwidth


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("九零一", "901"),
        ("十二", "12"),
        ("二十三", "23"),
        ("一千二百零三", "1203"),
        ("一二零三", "1203"),
        ("幺零二", "102"),
        ("两", "2"),
        ("十", "10"),
        ("三十", "30"),
        ("一百零五", "105"),
        ("三百零五", "305"),
        ("六百一", "610"),
        ("一千二", "1200"),
        ("十二零一", "1201"),
        ("二十一零一", "2101"),
        ("〇", "0"),
        ("１２０３", "1203"),
        ("1203", "1203"),
        ("贰拾叁", "23"),
    ],
)
def test_to_arabic(span: str, expected: str) -> None:
    assert to_arabic(span) == expected


@pytest.mark.parametrize("span", ["", "一直", "百", "二二十", "栋", "十十", "千百"])
def test_not_a_number(span: str) -> None:
    assert to_arabic(span) is None


def test_halfwidth_keeps_length() -> None:
    text = "６栋１单元１２０３，电话１３８－１２３４"
    assert to_halfwidth(text) == "6栋1单元1203,电话138-1234"
    assert len(to_halfwidth(text)) == len(text)


_CN_DIGITS = "零一二三四五六七八九"


def _say(n: int) -> str:
    """Write 1..9999 the standard way (一千二百零三), as a reference for the parser."""
    parts: list[str] = []
    zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit % 10
        if digit:
            if zero and parts:
                parts.append("零")
            parts.append(_CN_DIGITS[digit] + name)
            zero = False
        else:
            zero = True
    return "".join(parts)


@given(st.integers(min_value=1, max_value=9999))
def test_positional_round_trip(n: int) -> None:
    spoken = _say(n)
    if "十" in spoken or "百" in spoken or "千" in spoken:
        assert parse_positional(spoken) == n


@given(st.text(alphabet="0123456789", min_size=1, max_size=6))
def test_digit_by_digit_round_trip(digits: str) -> None:
    spoken = "".join(_CN_DIGITS[int(d)] for d in digits)
    assert to_arabic(spoken) == digits
