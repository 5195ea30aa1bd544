"""Notices in chat: residents read and mute them, ask for 三公开; an admin posts a 公告."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.base import month_of
from models.community import Building
from models.ledger import EntryInput, add_entries
from models.notices import Notice, NoticeStatus, create_notice, publish_due
from models.outbox import OutboxMessage
from models.people import person_by_openid
from tests.support.wechat import WeChatSim


def _publish(engine: Engine, clock: ManualClock, **fields: object) -> None:
    with Session(engine) as s, s.begin():
        create_notice(s, now=clock.now(), **fields)  # type: ignore[arg-type]
        publish_due(s, now=clock.now())


def test_residents_see_the_notices_for_their_building_only(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    _publish(
        engine,
        clock,
        title="3栋停水通知",
        body="明天9点到12点停水。",
        audience={"buildings": ["3"]},
        category="停水停电",
    )
    _publish(engine, clock, title="1栋电梯检修", body="周五电梯停运。", audience={"buildings": ["1"]})
    _publish(
        engine, clock, title="重阳节活动", body="周六上午社区广场。", audience={"all": True}, category="活动"
    )
    reply = wechat.send("demo-resident-wang", "最近通知")
    assert "3栋停水通知" in reply and "重阳节活动" in reply and "1栋电梯检修" not in reply
    assert "1栋电梯检修" in wechat.send("demo-resident-li", "最近有什么通知")
    water = wechat.send("demo-resident-wang", "有没有停水通知")
    assert "3栋停水通知" in water and "重阳节活动" not in water


def test_an_unbound_follower_sees_only_notices_for_everyone(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    _publish(engine, clock, title="3栋停水通知", body="明天停水。", audience={"buildings": ["3"]})
    reply = wechat.send("newcomer", "最近通知")
    assert "没有新的通知" in reply and "绑定" in reply


def test_expired_notices_leave_the_list(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    _publish(
        engine,
        clock,
        title="今晚停电",
        body="今晚8点停电。",
        audience={"all": True},
        expires_at=clock.now() + timedelta(hours=12),
    )
    assert "今晚停电" in wechat.send("demo-resident-wang", "最近通知")
    clock.advance(hours=13)
    assert "没有新的通知" in wechat.send("demo-resident-wang", "最近通知")


def test_muting_a_category_and_restoring_it(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock, session: Session
) -> None:
    assert "不再单独给您推送「活动」" in wechat.send("demo-resident-wang", "不再接收活动通知")
    assert "已经关闭" in wechat.send("demo-resident-wang", "不再接收活动通知")
    _publish(
        engine, clock, title="重阳节活动", body="周六上午。", audience={"buildings": ["3"]}, category="活动"
    )
    wang = person_by_openid(session, "demo-resident-wang")
    assert wang is not None
    pushed = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == wang.id)).all()
    assert pushed == []
    assert "重阳节活动" in wechat.send("demo-resident-wang", "最近通知")  # still readable on request
    assert "已恢复接收「停水停电」" not in wechat.send("demo-resident-wang", "恢复接收停水通知")
    assert "已恢复接收「活动」" in wechat.send("demo-resident-wang", "恢复接收活动通知")
    assert "停水停电、活动、议事" in wechat.send("demo-resident-wang", "不再接收所有通知")


def test_monthly_ledger_in_chat(wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock) -> None:
    assert "还没有公布" in wechat.send("demo-resident-wang", "本月收支公开")
    month = month_of(clock.now())
    with Session(engine) as s, s.begin():
        three = s.exec(select(Building).where(Building.number == "3")).one()
        one = s.exec(select(Building).where(Building.number == "1")).one()
        add_entries(
            s,
            items=[
                EntryInput(month, "收入", "停车费", 1_200_00),
                EntryInput(month, "income", "广告收入", 300_50, note="电梯广告"),
                EntryInput(month, "支出", "维修资金使用", 800_00, note="电梯维修", building="3"),
                EntryInput(month, "支出", "维修资金使用", 500_00, note="屋面防水", building="1"),
            ],
            created_by="test",
            now=clock.now(),
        )
        assert three.id and one.id
    reply = wechat.send("demo-resident-wang", "本月收支公开")
    assert "2026年11月收支公开" in reply
    assert "停车费 1,200.00元" in reply and "广告收入 300.50元，电梯广告" in reply
    assert "本楼（3栋）：收入 0.00元，支出 800.00元" in reply and "维修资金使用 800.00元，电梯维修" in reply
    assert "屋面防水" not in reply  # another building's entry shows only in its total (1栋 支出 500.00元)
    assert "1栋 收入 0.00元，支出 500.00元" in reply
    assert "全小区：期初结余 52,000.00元，收入 1,500.50元，支出 1,300.00元，期末结余 52,200.50元" in reply


def test_an_admin_posts_a_notice_with_confirmation(wechat: WeChatSim, demo: None, session: Session) -> None:
    reply = wechat.send(
        "demo-admin-wu", "发布公告 标题：12月1日停水通知 内容：12月1日9点到12点全小区停水，请提前储水。"
    )
    assert "请确认" in reply and "全体居民" in reply and "4个楼栋群" in reply
    assert session.exec(select(Notice)).all() == []
    done = wechat.send("demo-admin-wu", "是")
    assert "公告已发布" in done and "4个楼栋群" in done
    session.rollback()
    notice = session.exec(select(Notice)).one()
    assert notice.status == NoticeStatus.published and notice.category == "停水停电"
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.building_id.is_not(None))).all()) == 4  # type: ignore[union-attr]
    assert "12月1日停水通知" in wechat.send("demo-resident-zhang", "最近通知")


def test_an_admin_is_asked_for_what_is_missing_and_may_narrow_the_audience(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    assert "标题" in wechat.send("demo-admin-wu", "发布公告")
    assert "内容" in wechat.send("demo-admin-wu", "议事会通知")
    assert "请确认" in wechat.send("demo-admin-wu", "周五晚7点在社区议事厅讨论加装电梯。")
    assert "已取消" in wechat.send("demo-admin-wu", "取消")
    reply = wechat.send("demo-admin-wu", "发布公告 标题：加装电梯议事 内容：周五晚7点议事厅。范围：3栋、5栋")
    assert "3栋、5栋" in reply and "2个楼栋群" in reply
    assert "没有找到" in wechat.send("demo-admin-wu", "发布公告 标题：测试 内容：测试。范围：9栋")
    long_title = wechat.send("demo-admin-wu", "发布公告 标题：" + "长" * 41 + " 内容：好")
    assert "41个字" in long_title
    session.rollback()
    assert session.exec(select(Notice)).all() == []


def test_residents_cannot_post_notices(wechat: WeChatSim, demo: None) -> None:
    assert "只有社区管理员" in wechat.send("demo-resident-wang", "发布公告 标题：卖房 内容：3栋502出售")
