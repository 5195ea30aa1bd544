"""Elder visits: a weekly push, 「已走访」 answers, missed-visit alerts and emergency checks; jobs are idempotent."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.people import Person
from models.points import balance
from scheduler import volunteers
from tests.support.community import pushes_to, run_job
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_visit_rota_push_answer_missed_alert_and_emergency_check(
    wechat: WeChatSim,
    demo: None,
    session: Session,
    engine: Engine,
    clock: ManualClock,
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    due = clock.now() + timedelta(hours=12)
    created = app_client.post(
        "/api/v1/visits/rotas",
        json={"elder_openid": "demo-elder-liu", "volunteer_openid": WANG, "first_due_at": due.isoformat()},
        headers=admin_headers,
    )
    assert created.status_code == 201
    assert "没有走访任务" in wechat.send("demo-resident-li", "已走访 都挺好")

    assert run_job(engine, volunteers.push_visits, clock) == 1
    assert run_job(engine, volunteers.push_visits, clock) == 0
    assert "刘桂芳" in pushes_to(session, "王秀兰", "visit")[0]

    assert "已记录您对刘桂芳的走访" in wechat.send(WANG, "已走访 刘桂芳身体挺好，屋里很暖和")
    session.rollback()
    wang = session.exec(select(Person).where(Person.openid == WANG)).one()
    assert balance(session, person_id=wang.id) == 1  # [points] visit = 1
    assert run_job(engine, volunteers.alert_missed, clock) == 0

    clock.advance(days=10)  # the next visit (due in 7 days) is now 3 days late
    # Two alerts: this rota, and the demo's own (张伟 visits 刘桂芳 from the day after the import).
    assert run_job(engine, volunteers.alert_missed, clock) == 2
    assert run_job(engine, volunteers.alert_missed, clock) == 0
    alerts = [text for text in pushes_to(session, "陈红梅", "visit") if "王秀兰负责" in text]
    assert len(alerts) == 1 and "刘桂芳" in alerts[0] and "未走访" in alerts[0]

    reply = wechat.send(WANG, "已走访，敲门没人应，电话也打不通")
    assert "没见到刘桂芳本人" in reply and "紧急核查" in reply
    emergency = pushes_to(session, "陈红梅", "emergency")
    assert len(emergency) == 1 and "敲门没人应" in emergency[0]
    assert pushes_to(session, "王师傅", "emergency")  # staff are asked to check too


def test_reminders_catch_up_after_downtime_without_a_stale_day_reminder(
    wechat: WeChatSim, demo: None, session: Session, engine: Engine, clock: ManualClock
) -> None:
    wechat.send(WANG, "报名 夜间治安巡逻")
    assert "报名成功" in wechat.send(WANG, "是")
    clock.set(clock.now().replace(day=26, hour=11, minute=0))  # 19:00 Beijing, half an hour before
    assert run_job(engine, volunteers.remind_day_before, clock) == 0
    assert run_job(engine, volunteers.remind_hour_before, clock) == 1
    clock.advance(hours=2)
    assert run_job(engine, volunteers.remind_hour_before, clock) == 0


def test_waitlist_housekeeping_fills_a_place_freed_by_a_capacity_increase(
    wechat: WeChatSim, demo: None, session: Session, engine: Engine, clock: ManualClock
) -> None:
    from models.activities import Activity

    activity = session.exec(select(Activity).where(Activity.title == "夜间治安巡逻")).one()
    with Session(engine) as writer, writer.begin():
        row = writer.get(Activity, activity.id)
        assert row is not None
        row.capacity = 1
        writer.add(row)
    wechat.send(WANG, f"报名 {activity.id}")
    wechat.send(WANG, "是")
    wechat.send("demo-resident-li", f"报名 {activity.id}")
    assert "候补" in wechat.send("demo-resident-li", "是")
    assert run_job(engine, volunteers.fill_waitlists, clock) == 0
    with Session(engine) as writer, writer.begin():
        row = writer.get(Activity, activity.id)
        assert row is not None
        row.capacity = 2
        writer.add(row)
    assert run_job(engine, volunteers.fill_waitlists, clock) == 1
    assert run_job(engine, volunteers.fill_waitlists, clock) == 0
    assert "转为正式报名" in pushes_to(session, "李建国", "volunteer")[0]
