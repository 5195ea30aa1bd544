"""In a real browser, at a desk and on a phone: a proposal from creation to its printed result —
created, published after seeing whom it reaches, a paper ballot, closed, printed; every page axe-clean."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.proposals import Ballot, Proposal, ProposalStatus
from tests.conftest import ADMIN_TOKEN

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
SIZES = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _clean(page: Any, axe: Any) -> None:
    assert axe() == []
    assert page.evaluate(SIDEWAYS) <= 0


@pytest.mark.parametrize("size", SIZES)
def test_a_proposal_runs_from_creation_to_its_printed_result(
    browser_page: Any, shot: Any, axe: Any, engine: Engine, demo: None, size: str
) -> None:
    page = browser_page
    page.set_viewport_size(SIZES[size])
    page.goto("/console/login")
    page.fill("input[name=token]", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.goto("/console/proposals")
    page.fill("#title", "  ")  # only spaces: the browser lets it through, the server does not
    page.fill("#votes_close_at", "2026-11-30T18:00")
    page.click("#create")
    assert "请填写议题标题" in page.inner_text("#proposal-form")  # next to the field
    shot("0-refused")
    _clean(page, axe)
    page.fill("#title", "3栋加装电梯")
    page.fill("#body", "3栋拟加装电梯，费用按楼层分摊，请各位业主表决。")
    page.select_option("#matter", value="7")
    page.check("input[name=scope][value=buildings]")
    page.check("input[name=buildings][value='3']")
    page.fill("#votes_close_at", "2026-11-30T18:00")
    shot("1-form")
    _clean(page, axe)
    page.click("#create")
    assert "议题 P1 已创建，还没有发布" in page.inner_text(".flash")
    assert "待发布" in page.inner_text("#phase")

    page.click("#publish")
    reach = page.inner_text("#reach")
    assert "到 1 个楼栋群" in reach and "3栋群" in reach and "王秀兰" in reach
    with Session(engine) as session:
        assert session.exec(select(Proposal)).one().status == ProposalStatus.pending_review
    shot("2-publish-asked")
    _clean(page, axe)
    page.click("#confirm")
    assert "议题 P1 已发布" in page.inner_text(".flash")
    assert "投票中" in page.inner_text("#phase")

    page.fill("#building", "3")
    page.fill("#unit", "2")
    page.fill("#room", "502")
    page.check("input[name=choice][value=agree]")
    page.click("#enter-ballot")
    assert "已录入 3栋2单元502 的纸质票：同意" in page.inner_text(".flash")
    assert "纸质票" in page.inner_text("#ballots")
    shot("3-ballot")
    _clean(page, axe)

    page.click("#close")
    assert "现在结束 P1「3栋加装电梯」的投票并公布结果" in page.inner_text("#reach")
    shot("4-close-asked")
    _clean(page, axe)
    page.click("#confirm")
    assert "P1 投票已结束：未通过" in page.inner_text(".flash")

    page.click("#result")
    assert "业主表决结果" in page.inner_text("#printable")
    checks = page.inner_text("#result-checks")
    assert "参与表决的专有面积" in checks and "≥ 75%" in checks and "未达到" in checks
    assert "3栋2单元502" in page.inner_text("#record") and "纸质票" in page.inner_text("#record")
    shot("5-result")
    _clean(page, axe)
    page.emulate_media(media="print")
    assert not page.is_visible("header.top") and not page.is_visible("#print")
    assert page.is_visible("#printable")
    printed = shot("6-printed")  # the page as printed
    if size == "desk":  # headless chromium prints it to PDF too, kept beside the screenshots
        assert page.pdf(path=str(printed.with_suffix(".pdf")), format="A4").startswith(b"%PDF")
    with Session(engine) as session:
        proposal = session.exec(select(Proposal)).one()
        assert proposal.status == ProposalStatus.closed and proposal.result["passed"] is False
        assert [b.channel for b in session.exec(select(Ballot))] == ["paper"]
