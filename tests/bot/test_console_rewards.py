"""The 爱心屋 desk in the console: edit and restock, pickups awaiting collection (paged),
hand over from the list, and cancel (asked first) with the points refunded and the resident told."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from models.access import AuditEntry
from models.outbox import OutboxMessage
from models.people import person_by_openid
from models.points import PointSource, balance, credit
from models.rewards import Redemption, RedemptionStatus, Reward, create_reward, redeem
from tests.bot.test_web_console import _login
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def _orders(engine: Engine, clock: ManualClock, count: int, *, stock: int = 50) -> tuple[int, list[int]]:
    """A reward (10 points) and ``count`` pending orders of it by 王秀兰."""
    with Session(engine) as session, session.begin():
        reward = create_reward(
            session, name="大米", cost=10, stock=stock, place="社区服务站", now=clock.now()
        )
        wang = person_by_openid(session, WANG)
        if count:
            credit(
                session,
                person_id=wang.id,
                amount=10 * count,
                reason="测试",
                source=PointSource.admin,
                now=clock.now(),
            )  # type: ignore[union-attr,arg-type]
        ids = [
            redeem(session, reward_id=reward.id, person_id=wang.id, now=clock.now()).redemption.id  # type: ignore[union-attr,arg-type]
            for _ in range(count)
        ]
        return reward.id, ids  # type: ignore[return-value]


def _balance(engine: Engine) -> int:
    with Session(engine) as session:
        return balance(session, person_id=person_by_openid(session, WANG).id)  # type: ignore[union-attr,arg-type]


def test_edit_restock_and_take_off_the_shelf(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    reward_id, _ = _orders(engine, clock, 0, stock=3)
    _login(wechat)
    page = wechat.client.get("/console/rewards").text
    assert "大米" in page and "社区服务站" in page
    edited = wechat.client.post(
        f"/console/rewards/{reward_id}/edit", data={"name": "东北大米", "cost": "12", "place": "服务站"}
    )
    assert "已下架" in edited.text
    restocked = wechat.client.post(f"/console/rewards/{reward_id}/restock", data={"add": "5"})
    assert "现有 8 件" in restocked.text
    with Session(engine) as session:
        reward = session.get(Reward, reward_id)
        assert (reward.name, reward.cost, reward.stock, reward.active) == ("东北大米", 12, 8, False)  # type: ignore[union-attr]
        actions = {e.action for e in session.exec(select(AuditEntry))}
    assert {"reward.edit", "reward.restock"} <= actions
    create_reward_clash = wechat.client.post(
        "/console/rewards", data={"name": "东北大米", "cost": "3", "stock": "1"}
    )
    assert "已有同名的奖品" in create_reward_clash.text


def test_pending_pickups_are_paged_and_handed_over(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _, ids = _orders(engine, clock, 35)
    _login(wechat)
    first = wechat.client.get("/console/rewards").text
    assert "待领取（35）" in first and f"#{ids[0]}<" in first and f"#{ids[-1]}<" not in first
    second = wechat.client.get("/console/rewards", params={"p": "2"}).text
    assert f"#{ids[-1]}<" in second and f"#{ids[0]}<" not in second
    done = wechat.client.post(f"/console/redemptions/{ids[0]}/collect")
    assert f"兑换单 #{ids[0]} 已领取" in done.text and "待领取（34）" in done.text
    again = wechat.client.post(f"/console/redemptions/{ids[0]}/collect")
    assert "已经领取了" in again.text


def test_cancel_asks_then_refunds_once_and_tells_the_resident(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    reward_id, (order_id,) = _orders(engine, clock, 1, stock=1)
    assert _balance(engine) == 0
    _login(wechat)
    asked = wechat.client.post(f"/console/redemptions/{order_id}/cancel", data={"reason": "大米受潮"})
    assert "退回 10 积分给 王秀兰" in asked.text and _balance(engine) == 0
    done = confirm(wechat.client, asked)
    assert "10 积分已退回" in done.text
    assert _balance(engine) == 10
    with Session(engine) as session:
        assert session.get(Redemption, order_id).status == RedemptionStatus.cancelled  # type: ignore[union-attr]
        assert session.get(Reward, reward_id).stock == 1  # type: ignore[union-attr]
        (push,) = session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.idempotency_key) == f"redemption:{order_id}:cancelled"
            )
        ).all()
        assert "已取消" in push.text and "大米受潮" in push.text
    twice = wechat.client.post(f"/console/redemptions/{order_id}/cancel", data={"reason": "大米受潮"})
    assert "已经取消了" in twice.text and _balance(engine) == 10
