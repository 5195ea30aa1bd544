"""Two requests in one message: clauses, precedence, and the second request handed back."""

from __future__ import annotations

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
