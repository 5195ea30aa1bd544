"""小区议事 in the console: a proposal created, published after seeing whom it reaches, a paper ballot,
closed by hand and printed; and the Chinese reasons when the form or a ballot is wrong."""

from __future__ import annotations

from httpx import Response
from sqlmodel import Session, select

from models.outbox import OutboxMessage
from models.proposals import Ballot, Proposal, ProposalStatus
from tests.conftest import ADMIN_TOKEN
from tests.support.console import confirm, console_login
from tests.support.wechat import WeChatSim

FORM = {
    "title": "3栋加装电梯",
    "body": "3栋拟加装电梯，费用按楼层分摊。",
    "matter": "7",
    "scope": "buildings",
    "buildings": ["3"],
    "votes_close_at": "2026-11-30T18:00",
}


def _create(wechat: WeChatSim, **changes: object) -> Response:
    return wechat.client.post("/console/proposals", data={**FORM, **changes})


def _proposal(session: Session) -> Proposal:
    session.rollback()
    return session.exec(select(Proposal)).one()


def test_a_proposal_from_creation_to_its_printed_result(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    console_login(wechat.client, ADMIN_TOKEN)
    created = _create(wechat)
    assert "议题 P1 已创建，还没有发布" in created.text and "四分之三以上" in created.text
    assert _proposal(session).status == ProposalStatus.pending_review
    asked = wechat.client.post("/console/proposals/1/publish")
    assert "发布议题 P1「3栋加装电梯」到 1 个楼栋群" in asked.text and "3栋群" in asked.text
    assert "王秀兰" in asked.text  # the owners told by name
    assert session.exec(select(OutboxMessage)).all() == []  # only asked
    published = confirm(wechat.client, asked)
    assert "议题 P1 已发布，1 个楼栋群、3 位业主会收到通知" in published.text and "投票中" in published.text
    session.rollback()
    told = [m.text for m in session.exec(select(OutboxMessage))]
    assert told and all("【小区议事】P1「3栋加装电梯」" in text for text in told)

    ballot = {"building": "3", "unit": "2", "room": "502", "choice": "agree"}
    entered = wechat.client.post("/console/proposals/1/ballots", data=ballot)
    assert "已录入 3栋2单元502 的纸质票：同意" in entered.text and "纸质票" in entered.text

    asked = wechat.client.post("/console/proposals/1/close")
    assert "现在结束 P1「3栋加装电梯」的投票并公布结果" in asked.text and "未通过" in asked.text
    assert _proposal(session).status == ProposalStatus.published
    closed = confirm(wechat.client, asked)
    assert "P1 投票已结束：未通过" in closed.text
    assert _proposal(session).status == ProposalStatus.closed

    printed = wechat.client.get("/console/proposals/1/result").text
    assert (
        "业主表决结果" in printed and "@media print" in wechat.client.get("/console/static/console.css").text
    )
    assert "参与表决的专有面积" in printed and "同意的人数（占参与人数）" in printed
    assert "≥ 75%" in printed and "未达到" in printed and "达到</td>" in printed  # 1 of 1 agreed
    assert "纸质票" in printed and "3栋2单元502" in printed


def test_form_errors_are_chinese_and_next_to_their_fields(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    console_login(wechat.client, ADMIN_TOKEN)
    empty = _create(wechat, title="  ")
    assert empty.status_code == 422 and "没有创建：请填写议题标题" in empty.text
    assert "3栋拟加装电梯，费用按楼层分摊。" in empty.text  # what was typed is kept
    assert 'id="field-errors"' in empty.text and '"title"' in empty.text  # shown next to the field
    backwards = _create(wechat, votes_open_at="2026-11-28T09:00", votes_close_at="2026-11-27T09:00")
    assert "截止时间要晚于开始时间" in backwards.text
    past = _create(wechat, votes_open_at="2026-11-01T09:00")
    assert "开始时间不能早于现在" in past.text
    nobody = _create(wechat, buildings=[])
    assert "请勾选至少一栋" in nobody.text
    session.rollback()
    assert session.exec(select(Proposal)).all() == []


def test_a_paper_ballot_for_an_unverified_flat_is_refused(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    console_login(wechat.client, ADMIN_TOKEN)
    _create(wechat)
    confirm(wechat.client, wechat.client.post("/console/proposals/1/publish"))
    unverified = {"building": "3", "unit": "2", "room": "101", "choice": "agree"}
    refused = wechat.client.post("/console/proposals/1/ballots", data=unverified)
    assert "没有录入：这套房屋还没有核实的业主" in refused.text
    outside = {"building": "1", "unit": "1", "room": "301", "choice": "agree"}
    assert "不在本议题的表决范围内" in wechat.client.post("/console/proposals/1/ballots", data=outside).text
    session.rollback()
    assert session.exec(select(Ballot)).all() == []


def test_only_admins_change_proposals(wechat: WeChatSim, demo: None, settings: object) -> None:
    console_login(wechat.client, ADMIN_TOKEN)
    assert wechat.client.get("/console/proposals/99").status_code == 404
    assert "页面不存在" in wechat.client.get("/console/proposals/99").text
