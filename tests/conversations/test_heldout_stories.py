"""The held-out stories (written apart, never tuned to): emergencies inside every kind of form.

Prints the figures (``pytest -s``) and holds the line measured when they were last improved.
The aim (issue: "judgement in conversation") is every alarm raised, with any form open, and
no false alarm; the floors below only stop a change from making it worse.

``heldout_stories.toml`` (91 stories) was written first and measured throughout the work;
``heldout_stories_2.toml`` (67 stories, another writer) stayed sealed until the final
measurement of 2026-12-01. ``heldout_stories_3.toml`` (50 stories, a third writer, converted
from its step format) was opened once, later that day, and is the set to report from now on.
``heldout_stories_4.toml`` (50 stories, a fourth writer who never saw ``nlp/data``) was measured
before any change and then was the development set of the work tuned to it (branch nlptune).
``heldout_stories_5.toml`` (50 stories, a fifth writer who saw neither ``nlp/`` nor ``tests/``) was
measured once after that work and stays sealed. ``heldout_stories_6.toml`` (50 stories, a sixth
writer who saw neither) was measured before any change and then was the development set of
branch nlp14. ``heldout_stories_7.toml`` (50 stories, a seventh writer who saw neither) was
measured once after that work. ``heldout_stories_8.toml`` (50 stories,
an eighth writer who saw neither) was measured before any change and then was the development set
of branch nlp14c. ``heldout_stories_10.toml`` (50 stories, a tenth writer who saw neither: a
东北/天津 retirees' estate) was measured before any change and then was the development set of
branch nlp14d. ``heldout_stories_11.toml`` (50 stories, an eleventh writer who saw neither) was
measured once after that work and the conversation work beside it (emerg14e, conv14f), and is the
set to report now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from tests.conversations.stories import HERE, load, run
from tests.support.wechat import WeChatSim


@dataclass(frozen=True)
class Floor:
    recall: float
    recall_in_forms: float
    false_alarms: float  # a ceiling
    acting: float


FLOORS = {
    # measured 2026-12-01: recall 0.967, 1.00 with a form open, false alarms 0.68 %, acting 0.8995;
    # after the false-alarm work (branch nlp): recall 1.00, 1.00, 0.68 %, acting 0.928; after report
    # openings, questions and stopping in forms (branch nlptune): 1.00, 1.00, 0 %, 0.976
    "heldout_stories.toml": Floor(recall=1.0, recall_in_forms=1.0, false_alarms=0.01, acting=0.97),
    # measured 2026-12-01 on first opening: recall 1.00, 1.00 with a form open, no false alarm, acting 0.91
    # branch nlptune: 1.00, 1.00, 0 %, 0.933
    "heldout_stories_2.toml": Floor(recall=1.0, recall_in_forms=1.0, false_alarms=0.01, acting=0.93),
    # measured 2026-12-01 on first opening: recall 0.96, 0.9565 with a form open, false alarms
    # 2.34 %, acting 0.902; after the NLP work tuned without it (second opening): 0.96, 0.9565,
    # 0.78 %, 0.915. Recall below the aim: see issue 14's note. After branch nlptune (third opening,
    # figures only): 0.96, 0.9583, 0.78 %, 0.928.
    "heldout_stories_3.toml": Floor(recall=0.96, recall_in_forms=0.95, false_alarms=0.01, acting=0.92),
    # measured 2026-12-01 before any change: recall 1.00, 1.00 with a form open, false alarms
    # 1.18 %, acting 0.845; after the work that used it as its development set: 1.00, 1.00, 0.59 %, 0.881;
    # after nlp14 (an answer goes back to the form put aside): 1.00, 1.00, 0 %, 0.938
    "heldout_stories_4.toml": Floor(recall=1.0, recall_in_forms=1.0, false_alarms=0.01, acting=0.93),
    # a fifth writer who saw neither nlp/ nor tests/, measured once after all of the day's work and
    # never read: recall 0.913, 0.95 with a form open, false alarms 4.03 %, acting 0.831
    # after branch nlp14 (figures only): 0.9565, 0.9524, 2.01 %, 0.924
    "heldout_stories_5.toml": Floor(recall=0.95, recall_in_forms=0.95, false_alarms=0.021, acting=0.92),
    # measured 2026-12-01 before any change: recall 0.905, 1.00 with a form open, false alarms 2.56 %,
    # acting 0.774; after the work that used it as its development set (nlp14): 1.00, 1.00, 0 %, 0.910
    "heldout_stories_6.toml": Floor(recall=1.0, recall_in_forms=1.0, false_alarms=0.01, acting=0.90),
    # a seventh writer who saw neither nlp/ nor tests/ (a southern high-rise estate), measured once
    # on 2026-12-01 after the day's work on set 6 and never read: recall 0.9524 (one of 21 missed,
    # outside a form), 1.00 with a form open, false alarms 2.55 %, acting 0.8596
    "heldout_stories_7.toml": Floor(recall=0.95, recall_in_forms=1.0, false_alarms=0.026, acting=0.85),
    # a ninth writer who saw neither nlp/ nor tests/ (a central-western estate), measured once on
    # 2026-12-01 after the work tuned to set 8 and never read: recall 0.95 (one of 20 missed, outside
    # a form), 1.00 with a form open, false alarms 0.82 %, acting 0.9085
    "heldout_stories_9.toml": Floor(recall=0.95, recall_in_forms=1.0, false_alarms=0.009, acting=0.90),
    # measured 2026-12-01 before any change: recall 0.95 (one of 20 missed, outside a form, after a
    # false alarm it was taken to belong to), 1.00 with a form open, false alarms 0.70 %, acting 0.8765;
    # after branch nlp14c (its development set): 0.95, 1.00, 0.70 %, 0.8951
    "heldout_stories_8.toml": Floor(recall=0.95, recall_in_forms=1.0, false_alarms=0.008, acting=0.89),
    # measured 2026-12-01 before any change: recall 0.90, 0.7143 with a form open (a hypothetical
    # question and a place named by the lift raised an unconfirmed alarm that took the real one after
    # it), false alarms 5.08 %, acting 0.7826; after branch nlp14d (its development set): 1.00, 1.00,
    # 0 %, 0.8261
    "heldout_stories_10.toml": Floor(recall=1.0, recall_in_forms=1.0, false_alarms=0.005, acting=0.82),
    # an eleventh writer who saw neither nlp/ nor tests/, measured once after the work tuned to set 10
    # (branches nlp14d, emerg14e, conv14f) and never read: recall 0.95, 1.00 with a form open, false
    # alarms 0.85 %, acting 0.8467
    # After the eighth session (figures only): 0.95, 0.875 with a form open, 0 %, 0.8832 — the same
    # one emergency of 20 missed, now told while a form is open (a report the story begins is now
    # taken as one and still open), so the share inside forms moved and overall recall did not.
    "heldout_stories_11.toml": Floor(recall=0.95, recall_in_forms=0.875, false_alarms=0.009, acting=0.84),
    # a twelfth writer (成渝/湖北, an old danwei compound), measured before any change: recall 0.90,
    # 0.857 with a form open, false alarms 2.82 %, acting 0.706 (answers taken by the incident after
    # an alarm then counted wrong: 0.746 counted as now); after the seventh session's work (its
    # development set): 1.00, 1.00, 0 %, 0.807
    "heldout_stories_12.toml": Floor(recall=1.0, recall_in_forms=1.0, false_alarms=0.005, acting=0.79),
    # a thirteenth writer (粤/桂 and 豫/鲁 speech, a resettlement estate of towers), measured once after
    # the seventh session's work and never read: recall 0.85, 0.80 with a form open, false alarms
    # 3.28 %, acting 0.803 (at the sixth session's end: 0.80, 0.60, 3.83 %, 0.729 counted then)
    "heldout_stories_13.toml": Floor(recall=0.85, recall_in_forms=0.8, false_alarms=0.035, acting=0.79),
    # a fourteenth writer (西北 and 江西/安徽 speech, a 1990s walk-up estate), measured before any change:
    # recall 0.95, 0.80 with a form open, false alarms 1.06 %, acting 0.8365; after the eighth
    # session's work (its development set): 1.00, 1.00, 0 %, 0.9279
    "heldout_stories_14.toml": Floor(recall=1.0, recall_in_forms=1.0, false_alarms=0.005, acting=0.92),
    # a fifteenth writer (京冀晋 and 湖南 speech, young families and tenants), measured once after the
    # eighth session's work and never read: recall 1.00, 1.00 with a form open, false alarms 0 %,
    # acting 0.8667 — the figures to report now
    "heldout_stories_15.toml": Floor(recall=1.0, recall_in_forms=1.0, false_alarms=0.005, acting=0.86),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_heldout_stories_hold_the_line(name: str, wechat: WeChatSim, demo: None, engine: Engine) -> None:
    floor = FLOORS[name]
    figures = run(load(HERE / name), wechat=wechat, engine=engine)
    summary = figures.summary()
    print(name, json.dumps(summary, ensure_ascii=False))
    missed = [t.say for t in figures.turns if t.alert and not t.alerted]
    assert summary["emergency_recall"] >= floor.recall, f"emergencies missed: {missed}"
    assert summary["emergency_recall_with_a_form_open"] >= floor.recall_in_forms
    assert summary["false_alarm_rate"] <= floor.false_alarms, [t.say for t in figures.false_alarms]
    assert summary["act_accuracy"] >= floor.acting
