"""In a real browser: a notice to two buildings is confirmed with its reach, at a desk and on a phone;
the confirmation pages pass axe-core too."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.notices import Notice, NoticeStatus
from tests.conftest import ADMIN_TOKEN

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
SIZES = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES)
def test_a_notice_to_two_buildings_shows_its_reach_before_it_goes(
    browser_page: Any, shot: Any, axe: Any, engine: Engine, demo: None, size: str
) -> None:
    page = browser_page
    page.set_viewport_size(SIZES[size])
    page.goto("/console/login")
    page.fill("input[name=token]", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.goto("/console/notices")
    page.fill("#title", "停水通知")
    page.fill("#body", "11月24日9:00-12:00，3栋、5栋因管道检修停水，请提前储水。")
    page.check("input[name=buildings][value='3']")
    page.check("input[name=buildings][value='5']")
    assert page.is_checked("input[name=scope][value=buildings]")  # ticking a building left 全体居民
    page.click("#publish")
    reach = page.inner_text("#reach")
    assert "请确认" in reach and "发送对象：3栋、5栋" in reach and "3栋群、5栋群" in reach
    with Session(engine) as session:
        assert session.exec(select(Notice)).all() == []  # 发布 only asked
    shot("1-asked")
    assert axe() == []
    page.click("#send")
    assert "已发布：2 个楼栋群" in page.inner_text(".flash")
    shot("2-sent")

    page.fill("#title", "楼道清理")
    page.fill("#body", "每周一上午清理楼道杂物。")
    page.check("input[name=grids] >> nth=0")
    page.check("input[name=scope][value=all]")  # back to everyone: the ticked grid is cleared
    assert not page.is_checked("input[name=grids] >> nth=0")
    page.fill("input[name=publish_at]", "2099-01-05T09:00")
    page.select_option("select[name=recurrence]", label="每周一")
    page.click("#publish")
    assert "之后每周一重复发布" in page.inner_text("#reach")
    page.click("#send")
    assert "已安排在 01-05 09:00 发布" in page.inner_text(".flash")
    page.click("#notices >> text=撤销…")
    assert "原定 01-05 09:00 发给：全体居民" in page.inner_text("#reach")
    shot("3-withdraw-asked")
    assert axe() == [] and page.evaluate(SIDEWAYS) <= 0
    page.click("#confirm")
    assert "已撤销" in page.inner_text(".flash")
    with Session(engine) as session:
        statuses = sorted(n.status for n in session.exec(select(Notice)))
        two = session.exec(select(Notice).where(Notice.title == "停水通知")).one()
    assert statuses == sorted([NoticeStatus.published, NoticeStatus.cancelled])
    assert two.audience == {"buildings": ["3", "5"]}
