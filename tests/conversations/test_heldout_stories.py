"""The held-out stories (written apart, never tuned to): emergencies inside every kind of form.

Prints the figures (``pytest -s``) and holds the line: every alert the stories call for is
raised, with or without a form open, and no turn the stories call ordinary raises one.
"""

from __future__ import annotations

import json

from sqlalchemy import Engine

from tests.conversations.stories import HERE, load, run
from tests.support.wechat import WeChatSim

STORIES = load(HERE / "heldout_stories.toml")


def test_heldout_stories_raise_every_alarm_and_no_other(
    wechat: WeChatSim, demo: None, engine: Engine
) -> None:
    figures = run(STORIES, wechat=wechat, engine=engine)
    print(json.dumps(figures.summary(), ensure_ascii=False))
    missed = [(t.story, t.say) for t in figures.turns if t.alert and not t.alerted]
    false = [(t.story, t.say) for t in figures.false_alarms]
    assert missed == [], f"emergencies missed: {missed}"
    assert false == [], f"false alarms: {false}"
