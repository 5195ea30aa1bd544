"""微心愿 by its words (nlp.wishes): every saying that names 心愿 or 党员 is a wish, and no training
line of another intent is taken for one."""

from __future__ import annotations

import re
from pathlib import Path

from nlp import understand
from nlp.intent import read_labelled, training_files
from nlp.normalise import normalise
from nlp.wishes import wish

WISHES = Path(__file__).resolve().parent / "data" / "wishes.tsv"
_NAMED = re.compile(r"心愿|党员|许个愿")


def test_every_wish_that_names_a_wish_or_a_party_member_is_recognised() -> None:
    named = [text for _, text, _ in read_labelled(WISHES) if _NAMED.search(text)]
    assert len(named) >= 40
    assert [text for text in named if understand(text).intent != "wish"] == []


def test_no_training_line_of_another_intent_is_taken_for_a_wish() -> None:
    taken = [
        (label, text)
        for path in training_files()
        for label, text, _ in read_labelled(path)
        if wish(normalise(text))
    ]
    assert taken == []


def test_danger_inside_a_wish_is_still_an_emergency() -> None:
    assert understand("我有个微心愿 但是现在家里着火了").intent == "emergency"
    assert understand("想请党员帮我 我闻到煤气味很大").intent == "emergency"
