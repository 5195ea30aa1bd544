"""Elder visits that mean what they say, through /wechat: only a visit that saw the person counts.

无人应答 counts nothing, opens an urgent check dispatched to the supervisor that escalates on
the injected clock until someone sees the person; 见到本人 earns the point; 住院或外出 pauses
the rota; 需要帮助 opens a task; unclear words get one question; missed visits alert the
supervisor, never the volunteer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.points import balance
from models.tickets import Ticket, TicketStatus
from models.visits import VisitRecord, VisitRota
from scheduler import tickets as ticket_jobs
from scheduler import volunteers
from tests.support.community import person_of, pushes_to, run_job
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"  # the volunteer in these stories; 刘桂芳 (3栋) is the elder


def _points(session: Session) -> int:
    session.rollback()
    return balance(session, person_id=person_of(session, WANG).id)  # type: ignore[arg-type]


def _rota(app_client: TestClient, headers: dict[str, str], volunteer: str, due: datetime) -> int:
    created = app_client.post(
        "/api/v1/visits/rotas",
        json={
            "elder_openid": "demo-elder-liu",
            "volunteer_openid": volunteer,
            "first_due_at": due.isoformat(),
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _due(session: Session, rota_id: int) -> datetime:
    session.rollback()
    rota = session.get(VisitRota, rota_id)
    assert rota is not None
    return rota.next_due_at


def test_no_answer_counts_nothing_opens_an_urgent_check_that_escalates_until_someone_sees_her(
    wechat: WeChatSim,
    demo: None,
    session: Session,
    engine: Engine,
    clock: ManualClock,
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    rota_id = _rota(app_client, admin_headers, WANG, clock.now() + timedelta(hours=12))
    due = _due(session, rota_id)

    reply = wechat.send(WANG, "已走访 敲门没人应，电话也打不通")
    assert "没见到刘桂芳本人" in reply and "不算完成走访" in reply and "紧急核查" in reply
    assert _points(session) == 0  # no points
    assert _due(session, rota_id) == due  # the visit is still due
    check = session.exec(select(Ticket).where(Ticket.category == "紧急核查")).one()
    assert check.code in reply and "陈红梅" in reply
    head = person_of(session, "demo-head-chen")
    assert check.assignee_id == head.id and check.status == TicketStatus.dispatched
    assert any("【派单】" in t and check.code in t for t in pushes_to(session, "陈红梅", "ticket"))
    assert any(check.code in t for t in pushes_to(session, "王师傅", "emergency"))  # staff asked too

    # Nobody has seen her: the check climbs the ladder on the injected clock.
    assert run_job(engine, ticket_jobs.escalate, clock) == 0
    clock.advance(hours=3, minutes=5)  # 2 h limit, then one rung an hour
    assert run_job(engine, ticket_jobs.escalate, clock) == 1
    assert any("【超时督办】" in t and check.code in t for t in pushes_to(session, "孙丽", "ticket"))
    clock.advance(hours=1)
    assert run_job(engine, ticket_jobs.escalate, clock) == 1  # on to the property lead
    assert any("【超时督办】" in t and check.code in t for t in pushes_to(session, "赵经理", "ticket"))

    # The volunteer goes back and sees her: the visit counts and the check ends.
    reply = wechat.send(WANG, "已走访 见到了，刘桂芳在邻居家打牌，身体挺好")
    assert "已记录您对刘桂芳的走访" in reply and "1 积分" in reply and f"{check.code} 已解除" in reply
    assert _points(session) == 1
    assert _due(session, rota_id) > due
    session.refresh(check)
    assert check.status == TicketStatus.closed
    assert any("【核查解除】" in t for t in pushes_to(session, "陈红梅", "ticket"))
    sent = len(pushes_to(session, "周书记"))
    clock.advance(hours=5)
    assert run_job(engine, ticket_jobs.escalate, clock) == 0
    assert len(pushes_to(session, "周书记")) == sent  # the secretary is never bothered
    outcomes = [v.outcome for v in session.exec(select(VisitRecord).order_by(col(VisitRecord.id)))]
    assert outcomes == ["no_answer", "seen"]


def test_seen_earns_the_point_and_unclear_words_get_one_question(
    wechat: WeChatSim,
    demo: None,
    session: Session,
    clock: ManualClock,
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    rota_id = _rota(app_client, admin_headers, WANG, clock.now() + timedelta(hours=12))
    due = _due(session, rota_id)
    assert wechat.send(WANG, "已走访 送了一袋米") == "见到刘桂芳本人了吗？回复「见到」或「没见到」。"
    assert _points(session) == 0
    reply = wechat.send(WANG, "见到")
    assert "已记录您对刘桂芳的走访（见到本人）" in reply
    assert _points(session) == 1
    assert _due(session, rota_id) > due
    record = session.exec(select(VisitRecord)).one()
    assert record.outcome == "seen" and "送了一袋米" in record.note

    assert "见到刘桂芳本人了吗" in wechat.send(WANG, "已走访")
    reply = wechat.send(WANG, "没见到")
    assert "不算完成走访" in reply and "紧急核查" in reply
    assert _points(session) == 1


def test_in_hospital_pauses_the_rota_until_resumed_and_a_need_opens_a_task(
    wechat: WeChatSim,
    demo: None,
    session: Session,
    engine: Engine,
    clock: ManualClock,
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    rota_id = _rota(app_client, admin_headers, WANG, clock.now() + timedelta(hours=12))
    reply = wechat.send(WANG, "已走访 住院了 家属说下周回来")
    assert "走访已暂停" in reply and "恢复走访" in reply
    assert _points(session) == 0
    clock.advance(days=10)
    assert run_job(engine, volunteers.push_visits, clock) == 1  # only the demo's own rota (张伟)
    assert not [t for t in pushes_to(session, "王秀兰", "visit") if "走访提醒" in t]
    assert not [t for t in pushes_to(session, "陈红梅", "visit") if "王秀兰负责" in t]
    run_job(engine, volunteers.alert_missed, clock)
    assert not [t for t in pushes_to(session, "陈红梅", "visit") if "王秀兰负责" in t]  # paused: not missed

    assert "已恢复对刘桂芳的走访" in wechat.send(WANG, "恢复走访")
    assert _due(session, rota_id) > clock.now()
    reply = wechat.send(WANG, "已走访 老人说腰疼 想要人帮忙买药")
    session.rollback()
    task = session.exec(select(Ticket).where(Ticket.category == "助老服务")).one()
    assert task.code in reply and task.assignee_id == person_of(session, "demo-head-chen").id
    assert "腰疼" in task.description
    assert _points(session) == 1  # she was seen: it counts


def test_the_missed_visit_alert_goes_to_the_supervisor_never_the_volunteer(
    wechat: WeChatSim,
    demo: None,
    session: Session,
    engine: Engine,
    clock: ManualClock,
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    # The building head herself visits: her supervisor is the grid worker of 3栋 (孙丽).
    _rota(app_client, admin_headers, "demo-head-chen", clock.now() + timedelta(hours=12))
    _rota(app_client, admin_headers, WANG, clock.now() + timedelta(hours=12))
    assert run_job(engine, volunteers.push_visits, clock) == 2
    assert any("走访提醒" in t for t in pushes_to(session, "陈红梅", "visit"))  # a reminder, worded so
    clock.advance(days=3)
    run_job(engine, volunteers.alert_missed, clock)
    missed_chen = [t for t in pushes_to(session, "孙丽", "visit") if "陈红梅负责" in t]
    assert len(missed_chen) == 1 and "刘桂芳" in missed_chen[0]
    assert not [t for t in pushes_to(session, "陈红梅", "visit") if "陈红梅负责" in t]
    assert [t for t in pushes_to(session, "陈红梅", "visit") if "王秀兰负责" in t]
    assert not [t for t in pushes_to(session, "王秀兰", "visit") if "未完成" in t]


def test_one_visit_a_day_earns_points_and_going_shopping_is_not_a_need(
    wechat: WeChatSim,
    demo: None,
    session: Session,
    clock: ManualClock,
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    """Found by a tester: three 「已走访」 the same day earned three points, and 「见到了 她刚才去
    买菜了」 opened a 需要帮助 task for the building head."""
    _rota(app_client, admin_headers, WANG, clock.now() + timedelta(hours=12))
    first = wechat.send(WANG, "已走访 见到了 她刚才去买菜了")
    assert "见到本人" in first and "积分" in first and "派单" not in first
    session.rollback()
    assert session.exec(select(Ticket)).all() == []
    again = wechat.send(WANG, "已走访 刘奶奶身体挺好")
    assert "见到本人" in again and "积分" not in again
    assert _points(session) == 1
    clock.advance(timedelta(days=1))
    assert "积分" in wechat.send(WANG, "已走访 见到本人 一切正常")
    assert _points(session) == 2
    assert "R100" in wechat.send(WANG, "已走访 老人想让人帮忙买药")  # a real need still opens a task
