"""The activities desk in the console: upcoming and past, the sign-up sheet, attendance that pays
points once, capacity and deadline, and cancelling (asked first; everyone signed up is told)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.access import AuditEntry
from models.activities import Activity, ActivityStatus, Signup, SignupStatus, create_activity, sign_up
from models.outbox import OutboxMessage
from models.people import person_by_openid
from models.points import balance
from tests.bot.test_web_console import _login
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

RESIDENTS = ("demo-resident-wang", "demo-resident-li", "demo-resident-zhang")


def _activity(
    engine: Engine, clock: ManualClock, *, title: str = "楼道大扫除", capacity: int = 2, hours: float = 24
) -> int:
    """An activity starting ``hours`` from now; the first ``capacity`` residents confirmed, the rest waitlisted."""
    with Session(engine) as session, session.begin():
        activity = create_activity(
            session,
            title=title,
            kind="环境卫生",
            starts_at=clock.now() + timedelta(hours=hours),
            place="3栋门前",
            capacity=capacity,
            points=5,
            now=clock.now() - timedelta(days=3),
        )
        for openid in RESIDENTS:
            sign_up(
                session,
                activity_id=activity.id,
                person=person_by_openid(session, openid),
                now=clock.now() - timedelta(days=2),
            )  # type: ignore[arg-type]
        return activity.id  # type: ignore[return-value]


def _signup_of(engine: Engine, activity_id: int, openid: str) -> Signup:
    with Session(engine) as session:
        person = person_by_openid(session, openid)
        return session.exec(
            select(Signup).where(Signup.activity_id == activity_id, Signup.person_id == person.id)
        ).one()  # type: ignore[union-attr]


def _points(engine: Engine, openid: str) -> int:
    with Session(engine) as session:
        return balance(session, person_id=person_by_openid(session, openid).id)  # type: ignore[union-attr,arg-type]


def test_upcoming_and_past_are_apart(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _activity(engine, clock, title="周末义诊")
    _activity(engine, clock, title="上月巡逻", hours=-24 * 30)
    _login(wechat)
    upcoming = wechat.client.get("/console/activities").text
    past = wechat.client.get("/console/activities", params={"when": "past"}).text
    assert "周末义诊" in upcoming and "上月巡逻" not in upcoming
    assert "上月巡逻" in past and "周末义诊" not in past


def test_the_sheet_shows_who_signed_up_and_attendance_pays_once(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    activity_id = _activity(engine, clock, hours=-0.5)
    _login(wechat)
    sheet = wechat.client.get(f"/console/activities/{activity_id}").text
    assert "王秀兰" in sheet and "13803510001" in sheet and "栋" in sheet
    assert "已报名" in sheet and "候补" in sheet
    wang = _signup_of(engine, activity_id, "demo-resident-wang")
    url = f"/console/activities/{activity_id}/signups/{wang.id}/attendance"
    first = wechat.client.post(url, data={"came": "1"})
    assert "已签到，发放 5 积分" in first.text
    again = wechat.client.post(url, data={"came": "1"})
    assert "已经签到过了" in again.text
    assert _points(engine, "demo-resident-wang") == 5
    refused = wechat.client.post(url, data={"came": "0"})
    assert "已经签到，不能记为缺席" in refused.text
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]
    assert actions.count("activity.attendance") == 1


def test_a_no_show_can_be_corrected_to_attended_once(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    activity_id = _activity(engine, clock, hours=-1)
    _login(wechat)
    li = _signup_of(engine, activity_id, "demo-resident-li")
    url = f"/console/activities/{activity_id}/signups/{li.id}/attendance"
    assert "已记为缺席" in wechat.client.post(url, data={"came": "0"}).text
    assert _signup_of(engine, activity_id, "demo-resident-li").status == SignupStatus.no_show
    assert _points(engine, "demo-resident-li") == 0
    assert "发放 5 积分" in wechat.client.post(url, data={"came": "1"}).text
    assert _points(engine, "demo-resident-li") == 5


def test_marked_absent_then_checking_in_with_the_code_still_counts(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    activity_id = _activity(engine, clock, hours=-1)
    _login(wechat)
    li = _signup_of(engine, activity_id, "demo-resident-li")
    wechat.client.post(f"/console/activities/{activity_id}/signups/{li.id}/attendance", data={"came": "0"})
    with Session(engine) as session:
        code = session.get(Activity, activity_id).checkin_code  # type: ignore[union-attr]
    assert "5" in wechat.send("demo-resident-li", f"签到{code}")
    assert _points(engine, "demo-resident-li") == 5
    assert _signup_of(engine, activity_id, "demo-resident-li").status == SignupStatus.attended


def test_attendance_waits_for_the_activity(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    activity_id = _activity(engine, clock, hours=48)
    _login(wechat)
    wang = _signup_of(engine, activity_id, "demo-resident-wang")
    done = wechat.client.post(
        f"/console/activities/{activity_id}/signups/{wang.id}/attendance", data={"came": "1"}
    )
    assert "活动还没开始" in done.text and _points(engine, "demo-resident-wang") == 0


def test_capacity_and_deadline(wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None) -> None:
    activity_id = _activity(engine, clock)
    _login(wechat)
    url = f"/console/activities/{activity_id}/edit"
    assert "名额不能少于已报名的人数" in wechat.client.post(url, data={"capacity": "1"}).text
    late = wechat.client.post(url, data={"capacity": "2", "signup_deadline": "2030-01-01T09:00"})
    assert "报名截止时间不能晚于活动开始" in late.text
    more = wechat.client.post(url, data={"capacity": "3", "signup_deadline": "2026-11-23T20:00"})
    assert "候补的 1 人转为正式报名" in more.text
    assert _signup_of(engine, activity_id, "demo-resident-zhang").status == SignupStatus.confirmed
    with Session(engine) as session:
        activity = session.get(Activity, activity_id)
        assert activity.capacity == 3 and activity.taken == 3  # type: ignore[union-attr]
        assert activity.signup_deadline is not None  # type: ignore[union-attr]
        zhang = person_by_openid(session, "demo-resident-zhang")
        told = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == zhang.id)).all()  # type: ignore[union-attr]
    assert any("转为正式报名" in m.text for m in told)


def test_cancelling_asks_first_then_tells_everyone_signed_up(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    activity_id = _activity(engine, clock)
    _login(wechat)
    asked = wechat.client.post(f"/console/activities/{activity_id}/cancel", data={"reason": "下雨"})
    assert "3 位居民" in asked.text
    with Session(engine) as session:
        assert session.get(Activity, activity_id).status == ActivityStatus.open  # type: ignore[union-attr]
    done = confirm(wechat.client, asked)
    assert "活动已取消，已通知 3 位居民" in done.text
    with Session(engine) as session:
        assert session.get(Activity, activity_id).status == ActivityStatus.cancelled  # type: ignore[union-attr]
        pushes = session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.idempotency_key).like(f"activity:{activity_id}:cancelled:%")
            )
        ).all()
        assert len(pushes) == 3 and all("已取消" in m.text and "下雨" in m.text for m in pushes)
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "activity.cancel")).one()
    twice = wechat.client.post(f"/console/activities/{activity_id}/cancel", data={"reason": "下雨"})
    assert "活动已取消，不能再改" in twice.text


def test_only_the_desk_marks_attendance(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    from models.access import ApiRole
    from tests.bot.test_web_console_pages import _token

    activity_id = _activity(engine, clock, hours=-1)
    _login(wechat, _token(engine, clock, "demo-secretary-zhou", ApiRole.secretary))
    assert "王秀兰" in wechat.client.get(f"/console/activities/{activity_id}").text
    wang = _signup_of(engine, activity_id, "demo-resident-wang")
    answer = wechat.client.post(
        f"/console/activities/{activity_id}/signups/{wang.id}/attendance", data={"came": "1"}
    )
    assert answer.status_code == 403 and _points(engine, "demo-resident-wang") == 0
