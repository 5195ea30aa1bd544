"""The volunteer journey in chat: sign-up → reminders → check-in → points → redeem → pickup."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.activities import Activity
from scheduler import volunteers
from tests.support.community import pushes_to, run_job
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def _activity(session: Session, title: str) -> Activity:
    return session.exec(select(Activity).where(Activity.title == title)).one()


def test_sign_up_remind_check_in_earn_redeem_and_pick_up(
    wechat: WeChatSim,
    demo: None,
    session: Session,
    engine: Engine,
    clock: ManualClock,
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    activity = _activity(session, "社区义诊")
    listing = wechat.send(WANG, "最近有什么志愿活动")
    assert "社区义诊" in listing and f"【{activity.id}】" in listing and "还剩 10 个名额" in listing

    confirm = wechat.send(WANG, f"报名 {activity.id}")
    assert "确认报名" in confirm and "社区广场" in confirm and "11月28日（周六）09:00" in confirm
    assert "报名成功" in wechat.send(WANG, "是")
    assert "已报名" in wechat.send(WANG, "我报名的活动")
    assert "不用重复报名" in wechat.send(WANG, f"报名 {activity.id}") + wechat.send(WANG, "是")

    clock.set(activity.starts_at - timedelta(hours=23))
    assert run_job(engine, volunteers.remind_day_before, clock) == 1
    assert run_job(engine, volunteers.remind_day_before, clock) == 0  # pushes once
    assert run_job(engine, volunteers.remind_hour_before, clock) == 0
    clock.set(activity.starts_at - timedelta(minutes=40))
    assert run_job(engine, volunteers.remind_hour_before, clock) == 1
    assert run_job(engine, volunteers.remind_day_before, clock) == 0
    pushes = pushes_to(session, WANG, "volunteer")
    assert len(pushes) == 2 and "明天" in pushes[0] and "一小时后" in pushes[1]

    clock.set(activity.starts_at + timedelta(minutes=10))
    assert "签到码不对" in wechat.send(WANG, "签到 9999")
    assert "签到成功" in wechat.send(WANG, "签到 2826")
    assert "只记一次" in wechat.send(WANG, "签到 2826")
    again = app_client.post(
        f"/api/v1/activities/{activity.id}/attendance", json={"openids": [WANG]}, headers=admin_headers
    )
    assert again.status_code == 200 and again.json()["already"] == [WANG]
    assert "您现在有 2 积分" in wechat.send(WANG, "积分多少")

    bonus = app_client.post(
        "/api/v1/points/corrections",
        json={"openid": WANG, "amount": 10, "reason": "楼道清扫补记"},
        headers=admin_headers,
    )
    assert bonus.status_code == 201 and bonus.json()["balance"] == 12
    assert "幸福食堂午餐券" in wechat.send(WANG, "爱心屋有什么")
    confirm = wechat.send(WANG, "兑换 幸福食堂午餐券")
    assert "6 积分" in confirm and "余额 6" in confirm
    ordered = wechat.send(WANG, "是")
    code = re.search(r"领取码：([0-9]{6})", ordered)
    assert code is not None, ordered
    assert "待领取" in wechat.send(WANG, "我的兑换")

    picked = app_client.post(
        "/api/v1/redemptions/pickup", json={"code": code.group(1)}, headers=admin_headers
    )
    assert picked.status_code == 200 and picked.json()["status"] == "completed"
    twice = app_client.post("/api/v1/redemptions/pickup", json={"code": code.group(1)}, headers=admin_headers)
    assert twice.status_code == 409
    assert "已完成" in wechat.send(WANG, "我的兑换")
    assert "没有待领取" in wechat.send(WANG, "取消兑换")
    history = wechat.send(WANG, "积分明细")
    assert "+2 参加志愿活动「社区义诊」" in history and "-6 兑换「幸福食堂午餐券」" in history
    assert "您现在有 6 积分" in wechat.send(WANG, "积分多少")


def test_a_cancellation_promotes_the_first_on_the_waitlist_with_a_push(
    wechat: WeChatSim, demo: None, session: Session, app_client: TestClient, admin_headers: dict[str, str]
) -> None:
    created = app_client.post(
        "/api/v1/activities",
        json={
            "title": "助老理发",
            "kind": "助老",
            "starts_at": "2026-11-30T09:00:00+08:00",
            "place": "社区服务中心",
            "capacity": 1,
        },
        headers=admin_headers,
    )
    assert created.status_code == 201 and created.json()["points"] == 2  # [points] attendance_default
    activity_id = created.json()["id"]
    wechat.send(WANG, f"报名 {activity_id}")
    assert "报名成功" in wechat.send(WANG, "是")
    assert "候补" in wechat.send("demo-resident-li", f"报名 {activity_id}")
    assert "排第 1 位" in wechat.send("demo-resident-li", "是")
    wechat.send("demo-resident-zhao", f"报名 {activity_id}")
    assert "排第 2 位" in wechat.send("demo-resident-zhao", "是")

    assert "名额已转给候补" in wechat.send(WANG, f"取消报名 {activity_id}")
    pushes = pushes_to(session, "demo-resident-li", "volunteer")
    assert len(pushes) == 1 and "转为正式报名" in pushes[0]
    assert "已报名" in wechat.send("demo-resident-li", "我报名的活动")
    assert "候补第 1 位" in wechat.send("demo-resident-zhao", "我报名的活动")
    assert "没有报名" in wechat.send(WANG, f"取消报名 {activity_id}")


def test_scoped_activities_are_only_offered_to_their_building(wechat: WeChatSim, demo: None) -> None:
    assert "楼道卫生大扫除" in wechat.send(WANG, "最近有什么志愿活动")  # 王秀兰 lives in 3栋
    assert "楼道卫生大扫除" not in wechat.send("demo-resident-li", "最近有什么志愿活动")  # 1栋


def test_ranking_and_opt_out(
    wechat: WeChatSim, demo: None, app_client: TestClient, admin_headers: dict[str, str]
) -> None:
    for openid, amount in ((WANG, 5), ("demo-resident-li", 3)):
        app_client.post(
            "/api/v1/points/corrections",
            json={"openid": openid, "amount": amount, "reason": "巡逻补记"},
            headers=admin_headers,
        )
    board = wechat.send("demo-resident-li", "排行榜")
    assert "第1名 王秀兰 5分" in board and "第2名 李建国 3分" in board and "您排第 2 名" in board
    assert "不会出现在积分排行榜上" in wechat.send(WANG, "不参加排名")
    board = wechat.send("demo-resident-li", "排行榜")
    assert "王秀兰" not in board and "第1名 李建国 3分" in board
    assert "重新参加" in wechat.send(WANG, "参加排名")
    assert "3栋本月积分排行" in wechat.send(WANG, "本楼排行")


def test_join_a_team_and_see_hours(wechat: WeChatSim, demo: None) -> None:
    assert "欢迎加入「巡逻队」" in wechat.send(WANG, "加入巡逻队")
    assert "已经是「巡逻队」的队员" in wechat.send(WANG, "加入巡逻队")
    assert "巡逻队" in wechat.send(WANG, "我的志愿时长")


def test_not_enough_points_is_said_plainly_and_nothing_is_spent(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "兑换 大米5斤")
    assert "积分不够" in reply and "需要 20 积分" in reply
    assert "已取消「积分兑换」" in wechat.send(WANG, "取消")
    assert "您现在有 0 积分" in wechat.send(WANG, "我的积分")


def test_the_first_and_the_last_are_as_the_list_shows_them(wechat: WeChatSim, demo: None) -> None:
    listing = wechat.send(WANG, "最近有什么志愿活动")
    titles = re.findall(r"【\d+】(\S+)", listing)
    assert len(titles) >= 2 and listing.index(titles[0]) < listing.index(titles[-1])
    assert f"确认报名：\n{titles[0]}\n" in wechat.send(WANG, "报名第一个")
    wechat.send(WANG, "取消")
    wechat.send(WANG, "我要报名")
    assert f"确认报名：\n{titles[-1]}\n" in wechat.send(WANG, "最后一个")


def test_another_question_while_choosing_a_gift_is_answered(wechat: WeChatSim, demo: None) -> None:
    assert "积分不够" in wechat.send(WANG, "兑换 大米5斤")
    reply = wechat.send(WANG, "我要投票")
    assert "没有找到" not in reply.split("\n")[0] and "刚才的「积分兑换」还没办完" in reply
    assert "积分不够" in wechat.send(WANG, "兑换 大米5斤")
    assert "「理发一次」需要 8 积分" in wechat.send(WANG, "理发")  # a gift's name still counts


def test_with_too_few_points_the_catalogue_says_so_and_how_to_earn_them(
    wechat: WeChatSim, demo: None
) -> None:
    reply = wechat.send("newcomer-no-points", "爱心屋")
    assert "还不够兑换" in reply and "可以兑换（" not in reply and "兑换 +" not in reply
    assert "幸福食堂午餐券" in reply  # what there is, to aim for
