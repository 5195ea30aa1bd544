"""In a real browser, on a desk and on a phone: the activity's sign-up sheet (签到, 缺席), and the
爱心屋 desk (edit form unfolded, hand over, cancel asked first); every step axe-clean, no sideways scroll."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from models.activities import create_activity, sign_up
from models.people import person_by_openid
from models.points import PointSource, credit
from models.rewards import create_reward, redeem
from tests.conftest import ADMIN_TOKEN

SIZES = {"desk": (1366, 768), "phone": (390, 844)}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
RESIDENTS = ("demo-resident-wang", "demo-resident-li", "demo-resident-zhang")


def _arrange(engine: Engine, clock: ManualClock) -> int:
    now = clock.now()
    with Session(engine) as session, session.begin():
        activity = create_activity(
            session,
            title="楼道大扫除",
            kind="环境卫生",
            starts_at=now - timedelta(minutes=30),
            place="3栋门前",
            capacity=5,
            points=5,
            now=now - timedelta(days=3),
        )
        reward = create_reward(session, name="洗衣粉", cost=10, stock=9, place="社区服务站", now=now)
        for openid in RESIDENTS:
            person = person_by_openid(session, openid)
            sign_up(session, activity_id=activity.id, person=person, now=now - timedelta(days=2))  # type: ignore[arg-type]
            credit(session, person_id=person.id, amount=10, reason="测试", source=PointSource.admin, now=now)  # type: ignore[union-attr,arg-type]
            redeem(session, reward_id=reward.id, person_id=person.id, now=now)  # type: ignore[arg-type,union-attr]
        return activity.id  # type: ignore[return-value]


@pytest.mark.parametrize("size", list(SIZES))
def test_the_activity_and_rewards_desk(
    size: str, browser_page: Any, shot: Any, axe: Any, engine: Engine, clock: ManualClock, demo: None
) -> None:
    page = browser_page
    problems: list[str] = []

    def look(step: str) -> None:
        shot(step)
        problems.extend(f"{step}: {v}" for v in axe())
        if size == "phone" and (wider := page.evaluate(SIDEWAYS)) > 0:
            problems.append(f"{step}: scrolls sideways by {wider} px")

    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    activity_id = _arrange(engine, clock)
    page.goto("/console/login")
    page.fill("input[name=token]", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")

    page.goto(f"/console/activities/{activity_id}")
    look("1-sheet")
    page.click("button[aria-label='王秀兰 签到']")
    assert "已签到，发放 5 积分" in page.locator("main").inner_text()
    page.click("button[aria-label='李建国 缺席']")
    assert "已记为缺席" in page.locator("main").inner_text()
    look("2-marked")

    page.goto("/console/rewards")
    page.locator("#rewards summary").last.click()
    look("3-rewards")
    page.locator("#pickups button", has_text="已领取").first.click()
    assert "已领取" in page.locator("main").inner_text()
    page.locator("#pickups button", has_text="取消并退分").first.click()
    page.wait_for_selector("#confirm")
    look("4-confirm-cancel")
    page.click("#confirm")
    assert "积分已退回" in page.locator("main").inner_text()
    look("5-cancelled")
    assert not problems, "\n".join(problems)
