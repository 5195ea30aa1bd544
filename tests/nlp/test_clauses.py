"""Two requests in one message: clauses, precedence, and the second request handed back."""

from __future__ import annotations

import pytest

from nlp import understand
from nlp.clauses import clauses, rank


def test_clauses_split_on_punctuation_and_connectives() -> None:
    assert clauses("电梯坏了，顺便问一下物业费怎么交") == ["电梯坏了", "物业费怎么交"]
    assert clauses("你好") == []


def test_precedence_puts_danger_and_complaints_first() -> None:
    assert rank("emergency") < rank("dispute") < rank("repair") < rank("progress") < rank("consult")
    assert rank("consult") < rank("greeting")


def test_the_second_request_is_handed_back() -> None:
    result = understand("我家卫生间下水道堵了，顺便问一下物业费怎么交")
    assert result.intent == "repair"
    assert result.also is not None and result.also[0] == "consult"


def test_one_request_has_nothing_to_hand_back() -> None:
    assert understand("我家卫生间下水道堵了").also is None


@pytest.mark.parametrize(
    ("said", "first", "also"),
    [
        ("暖气片不热，还有楼上天天剁排骨吵得很，先修暖气吧", "repair", "dispute"),
        ("楼上的狗天天叫，先问一下养狗有什么规定", "consult", "dispute"),
    ],
)
def test_what_the_resident_puts_first_comes_first(said: str, first: str, also: str) -> None:
    nlu = understand(said)
    assert nlu.intent == first
    assert nlu.also is not None and nlu.also[0] == also


def test_what_was_done_first_orders_nothing() -> None:
    assert understand("单元门口的雨棚玻璃裂了，先拉了警戒线，麻烦来换").intent == "repair"
