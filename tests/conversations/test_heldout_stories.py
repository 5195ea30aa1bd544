"""The held-out stories (written apart, never tuned to): emergencies inside every kind of form.

Prints the figures (``pytest -s``) and holds the line measured when they were last improved.
The aim (issue: "judgement in conversation") is every alarm raised, with any form open, and
no false alarm; the floors below only stop a change from making it worse.
"""

from __future__ import annotations

import json

from sqlalchemy import Engine

from tests.conversations.stories import HERE, load, run
from tests.support.wechat import WeChatSim

STORIES = load(HERE / "heldout_stories.toml")
RECALL_FLOOR = 0.96  # measured 0.967 on 2026-12-01
RECALL_IN_FORMS = 1.0  # measured 1.0: every alarm raised with a form open
FALSE_ALARM_CEILING = 0.01  # measured 0.0068
ACT_FLOOR = 0.89  # measured 0.8995 with the 2,052 lines of 2026-12-01 (0.923 before them)


def test_heldout_stories_hold_the_line(wechat: WeChatSim, demo: None, engine: Engine) -> None:
    figures = run(STORIES, wechat=wechat, engine=engine)
    summary = figures.summary()
    print(json.dumps(summary, ensure_ascii=False))
    missed = [t.say for t in figures.turns if t.alert and not t.alerted]
    assert summary["emergency_recall"] >= RECALL_FLOOR, f"emergencies missed: {missed}"
    assert summary["emergency_recall_with_a_form_open"] >= RECALL_IN_FORMS
    assert summary["false_alarm_rate"] <= FALSE_ALARM_CEILING, [t.say for t in figures.false_alarms]
    assert summary["act_accuracy"] >= ACT_FLOOR
