"""The 微心愿 walk README's Quick start suggests, on the demo as `make run` loads it: the lines are
read from README (who says what, in order) and each must work as written."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.demo import seed_demo
from bot.settings import Settings
from models.points import balance
from tests.conftest import ROOT
from tests.support.community import person_of, pushes_to
from tests.support.wechat import WeChatSim


def _walk() -> list[tuple[str, str]]:
    """(openid, line) in README's order: each 「line」 is said by the last `--as` before it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = text.split("The party-led side", 1)[1].split("\n\n", 1)[0]
    steps, who = [], ""
    for match in re.finditer(r"--as (\S+?)`|as `(\S+?)`|「([^」]+)」", paragraph):
        if match.group(1) or match.group(2):
            who = match.group(1) or match.group(2)
        else:
            steps.append((who, match.group(3)))
    return steps


def test_the_readme_wish_walk_works_as_written(
    demo: None, engine: Engine, clock: ManualClock, settings: Settings, wechat: WeChatSim, session: Session
) -> None:
    with Session(engine) as seeding, seeding.begin():
        seed_demo(seeding, now=clock.now(), rules=settings.tickets)
    steps = _walk()
    elder, secretary, member = "demo-elder-liu", "demo-secretary-zhou", "demo-party-gao"
    assert [who for who, _ in steps] == [elder, secretary, member, member, elder, "demo-resident-wang"]
    replies = [wechat.send(who, line) for who, line in steps]
    assert "微心愿 W8 收到了" in replies[0]
    assert "W8 已发布" in replies[1]
    assert "认领成功！W8" in replies[2]
    assert "已请刘桂芳确认" in replies[3]
    assert "高建华" in replies[4]
    assert "党员高建华" in replies[5]  # W5, left waiting for her by the demo
    gao = person_of(session, "demo-party-gao")
    assert balance(session, person_id=gao.id) == 15  # type: ignore[arg-type]  # W2 and W5 of the demo, W8
    assert "记 5 积分" in pushes_to(session, "高建华", "wish")[-1]
