"""网上议事 end to end: publish, owners vote in chat, paper ballots, the result announced."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.community import Building
from models.outbox import OutboxMessage
from scheduler.proposals import close_proposals
from tests.support.wechat import WeChatSim


def _create(wechat: WeChatSim, headers: dict[str, str], clock: ManualClock, **extra: object) -> int:
    body = {
        "title": "3栋2单元加装电梯",
        "body": "拟在3栋2单元加装一部电梯，费用按楼层分摊。",
        "matter": 7,
        "scope": {"units": ["3-2"]},
        "votes_close_at": (clock.now() + timedelta(days=7)).isoformat(),
        **extra,
    }
    response = wechat.client.post("/api/v1/proposals", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _building_pushes(session: Session, number: str) -> list[str]:
    session.rollback()  # a fresh snapshot: the app has written since the last look
    building = session.exec(select(Building).where(Building.number == number)).one()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.building_id == building.id)).all()
    return [row.text for row in rows]


def test_publish_vote_paper_ballot_and_announcement(
    wechat: WeChatSim,
    demo: None,
    admin_headers: dict[str, str],
    clock: ManualClock,
    engine: Engine,
    session: Session,
) -> None:
    proposal_id = _create(wechat, admin_headers, clock)
    assert any("【小区议事】P1" in text for text in _building_pushes(session, "3"))
    assert _building_pushes(session, "1") == []  # nobody outside the scope is told

    listing = wechat.send("demo-resident-wang", "最近有什么议题要投票")
    assert "P1「3栋2单元加装电梯」投票中" in listing and "参与面积 0%" in listing
    assert "已记录" in wechat.send("demo-resident-wang", "投票 P1 同意")
    assert "已投「同意」" in wechat.send("demo-resident-wang", "我家投过票了吗")
    assert "共有 1 条意见" in wechat.send("demo-resident-wang", "P1 意见：希望低层住户少分摊一些")
    # The building head lives in 3栋1单元: not concerned by a 3栋2单元 proposal.
    assert "只有已绑定房屋的业主" in wechat.send("demo-head-chen", "投票 P1 同意")

    rooms = ["101", "102", "201", "202", "301", "302", "401", "402"]
    for room in rooms:
        ballot = {"building": "3", "unit": "2", "room": room, "choice": "agree"}
        response = wechat.client.post(
            f"/api/v1/proposals/{proposal_id}/ballots", json=ballot, headers=admin_headers
        )
        assert response.status_code == 200, response.text
    against = {"building": "3", "unit": "2", "room": "601", "choice": "disagree"}
    wechat.client.post(f"/api/v1/proposals/{proposal_id}/ballots", json=against, headers=admin_headers)
    # A paper ballot for 王秀兰's own room replaces her chat ballot instead of counting twice.
    again = {"building": "3", "unit": "2", "room": "502", "choice": "agree"}
    replaced = wechat.client.post(
        f"/api/v1/proposals/{proposal_id}/ballots", json=again, headers=admin_headers
    )
    assert replaced.json()["replaced"] == "agree"

    live = wechat.client.get(f"/api/v1/proposals/{proposal_id}", headers=admin_headers).json()
    assert live["status"] == "voting"
    assert live["tally"]["voted_owners"] == 10 and live["tally"]["total_owners"] == 12

    clock.advance(days=8)
    with Session(engine) as job_session, job_session.begin():
        assert close_proposals(job_session, now=clock.now()) == 1
    with Session(engine) as job_session, job_session.begin():
        assert close_proposals(job_session, now=clock.now()) == 0  # idempotent

    final = wechat.client.get(f"/api/v1/proposals/{proposal_id}", headers=admin_headers).json()
    assert final["status"] == "closed"
    assert final["tally"]["passed"] is True
    assert final["tally"]["head_participation"] == 10 / 12
    assert "3栋2单元5**" in {row["room"] for row in final["detail"]}
    assert final["comments"][0]["text"] == "希望低层住户少分摊一些"  # no name: opinions are anonymous
    announcements = [t for t in _building_pushes(session, "3") if t.startswith("【议事结果】")]
    assert len(announcements) == 1 and "通过" in announcements[0] and "四分之三" in announcements[0]
    assert "通过" in wechat.send("demo-resident-wang", "P1结果")


def test_too_few_voters_fail_and_the_reason_says_why(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], clock: ManualClock, engine: Engine
) -> None:
    proposal_id = _create(wechat, admin_headers, clock, matter=4, title="续聘物业服务企业")
    wechat.send("demo-resident-wang", "投票 P1 同意")
    clock.advance(days=8)
    with Session(engine) as job_session, job_session.begin():
        close_proposals(job_session, now=clock.now())
    final = wechat.client.get(f"/api/v1/proposals/{proposal_id}", headers=admin_headers).json()
    assert final["tally"]["passed"] is False
    assert "未达到" in final["tally"]["reason"] and "三分之二" in final["tally"]["reason"]


def test_votes_are_refused_outside_the_voting_period(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], clock: ManualClock
) -> None:
    opens = clock.now() + timedelta(days=3)
    _create(wechat, admin_headers, clock, votes_open_at=opens.isoformat())
    assert "还在讨论阶段" in wechat.send("demo-resident-wang", "投票 P1 反对")
    clock.advance(days=4)
    assert "已记录" in wechat.send("demo-resident-wang", "我不同意P1")
    assert "「反对」" in wechat.send("demo-resident-wang", "我家投过票了吗")
    clock.advance(days=7)
    assert "已经截止" in wechat.send("demo-resident-wang", "投票 P1 同意")


def test_changing_a_vote_and_unbound_people(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], clock: ManualClock
) -> None:
    _create(wechat, admin_headers, clock)
    wechat.send("demo-resident-wang", "投票 P1 同意")
    assert "由「同意」改为「弃权」" in wechat.send("demo-resident-wang", "投票 P1 弃权")
    assert "先绑定房屋" in wechat.send("stranger", "投票 P1 同意")
    assert "没有找到议题 P9" in wechat.send("demo-resident-wang", "投票 P9 同意")


def test_api_rejects_bad_proposals(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], clock: ManualClock
) -> None:
    close = (clock.now() + timedelta(days=7)).isoformat()
    bad = [
        {"title": "x", "matter": 10, "votes_close_at": close},
        {"title": "x", "matter": 1, "votes_close_at": close, "scope": {"buildings": ["99"]}},
        {"title": "x", "matter": 1, "votes_close_at": (clock.now() - timedelta(days=1)).isoformat()},
        {"title": "x", "matter": 1, "votes_close_at": "2026-12-01T10:00:00"},  # no offset
    ]
    for body in bad:
        response = wechat.client.post("/api/v1/proposals", json=body, headers=admin_headers)
        assert response.status_code == 422, body
    assert wechat.client.post("/api/v1/proposals", json=bad[0]).status_code == 401


def test_a_resident_raises_a_proposal_for_review(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], session: Session
) -> None:
    reply = wechat.send("demo-resident-wang", "发起议题 标题：小区东门增设快递柜 内容：方便老人取快递")
    assert "管理员审核后" in reply
    listed = wechat.client.get("/api/v1/proposals", headers=admin_headers).json()
    assert listed["items"][0]["status"] == "pending_review"
    review = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "vote")).all()
    assert any("请审核" in row.text for row in review)
    published = wechat.client.post(
        f"/api/v1/proposals/{listed['items'][0]['id']}/publish", headers=admin_headers
    )
    assert published.status_code == 200 and published.json()["status"] == "discussion"
