"""Issue 19: an elder's 微心愿 through /wechat and /wecom — stated in chat, approved by the
secretary, ten members of her 责任区 try to claim it at once (five on WeChat, five on WeCom), one
wins and the nine are told who, the winner says it is done, she confirms, points credited once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from bot.clock import ManualClock
from models.community import Building
from models.party import DutyArea, PartyMember, PartyOrg
from models.people import Person, Role
from models.points import PointEntry, balance
from models.wishes import Wish, WishStatus
from tests.support.community import pushes_to
from tests.support.wechat import WeChatSim, WeComSim

ELDER = "demo-elder-liu"  # 刘桂芳, 3栋1单元302, lives alone
MEMBERS = 10


def _ten_members(engine: Engine, clock: ManualClock) -> list[tuple[str, str]]:
    """Ten members whose 责任区 is building 3: (channel, id) — even ones on WeChat, odd on WeCom."""
    who: list[tuple[str, str]] = []
    with Session(engine) as session, session.begin():
        org = session.exec(select(PartyOrg).where(PartyOrg.name == "3栋党小组")).one()
        building_id = session.exec(select(Building.id).where(Building.number == "3")).one()
        for n in range(MEMBERS):
            on_wecom = n % 2 == 1
            person = Person(
                openid=None if on_wecom else f"party-{n}",
                wecom_userid=f"wx-party-{n}" if on_wecom else None,
                name=f"党员{'甲乙丙丁戊己庚辛壬癸'[n]}",
                role=Role.resident,
                created_at=clock.now(),
            )
            session.add(person)
            session.flush()
            member = PartyMember(person_id=person.id, org_id=org.id, created_at=clock.now())  # type: ignore[arg-type]
            session.add(member)
            session.flush()
            session.add(DutyArea(member_id=member.id, building_id=building_id))  # type: ignore[arg-type]
            who.append(("wecom", f"wx-party-{n}") if on_wecom else ("wechat", f"party-{n}"))
    return who


def test_an_elder_s_wish_is_claimed_by_exactly_one_of_ten_and_the_points_follow_once(
    wechat: WeChatSim, wecom: WeComSim, demo: None, engine: Engine, clock: ManualClock, session: Session
) -> None:
    members = _ten_members(engine, clock)

    reply = wechat.send(ELDER, "我有个微心愿，想请人陪我去医院复查")
    assert "微心愿 W1 收到了" in reply and "陪我去医院复查" in reply
    assert "「通过心愿 W1」" in pushes_to(session, "周书记", "wish")[-1]

    reply = wecom.send("wx-zhoushuji", "通过心愿 W1")
    assert "W1 已发布" in reply and "13 位" in reply  # the ten, and 陈红梅, 高建华, 黄志明 of the demo
    assert "已经发布" in pushes_to(session, ELDER, "wish")[-1]
    assert "「认领心愿 W1」" in pushes_to(session, "党员甲", "wish")[-1]
    assert "「认领心愿 W1」" in pushes_to(session, "党员乙", "wish")[-1]
    assert not pushes_to(session, "钱卫东", "wish")  # building 1 and 2 are his

    barrier = threading.Barrier(MEMBERS)

    def try_to_claim(member: tuple[str, str]) -> str:
        channel, ident = member
        barrier.wait()
        return (wecom if channel == "wecom" else wechat).send(ident, "认领心愿 W1")

    with ThreadPoolExecutor(max_workers=MEMBERS) as pool:
        replies = list(pool.map(try_to_claim, members))
    won = [r for r in replies if "认领成功" in r]
    assert len(won) == 1, replies
    session.rollback()
    wish = session.exec(select(Wish)).one()
    assert wish.status == WishStatus.claimed
    winner = session.get(Person, wish.claimant_id)
    assert winner is not None
    lost = [r for r in replies if "认领成功" not in r]
    assert lost == [f"来晚了一步，W1 已被{winner.name}认领。谢谢您的热心！"] * (MEMBERS - 1)
    assert "刘桂芳" in won[0] and "13803510005" in won[0]
    assert f"党员{winner.name}认领了您的微心愿 W1" in pushes_to(session, ELDER, "wish")[-1]

    channel, ident = members[_index_of(members, winner)]
    sim = wecom if channel == "wecom" else wechat
    assert "已请刘桂芳确认" in sim.send(ident, "心愿完成了 上午陪刘奶奶去医院复查了，指标都正常")
    assert "指标都正常" in pushes_to(session, ELDER, "wish")[-1]

    assert f"党员{winner.name}" in wechat.send(ELDER, "收到了 谢谢")
    assert "记 5 积分" in pushes_to(session, winner.name, "wish")[-1]
    session.rollback()
    assert balance(session, person_id=winner.id) == 5  # type: ignore[arg-type]
    assert session.exec(select(Wish)).one().status == WishStatus.confirmed

    wechat.send(ELDER, "收到了 谢谢")  # said twice: nothing more is credited
    session.rollback()
    entries = session.exec(
        select(func.count()).select_from(PointEntry).where(col(PointEntry.source_ref) == "wish:1")
    ).one()
    assert entries == 1 and balance(session, person_id=winner.id) == 5  # type: ignore[arg-type]


def _index_of(members: list[tuple[str, str]], person: Person) -> int:
    ident = person.wecom_userid or person.openid
    return next(i for i, (_, who) in enumerate(members) if who == ident)


def test_a_member_outside_the_area_and_a_resident_who_is_no_member_cannot_claim(
    wechat: WeChatSim, wecom: WeComSim, demo: None, session: Session
) -> None:
    wechat.send(ELDER, "想请党员帮我去药店买降压药")
    wecom.send("wx-zhoushuji", "通过心愿 W1")
    assert "不在您的责任区" in wecom.send("wx-qianweidong", "认领心愿 W1")
    assert "由社区党员认领" in wechat.send("demo-resident-zhang", "认领")
    reply = wechat.send("demo-party-gao", "认领")  # the one open wish of his area
    assert "认领成功！W1" in reply
    assert "已被高建华认领" in wecom.send("wx-huangzhiming", "认领心愿 W1")


def test_the_secretary_declines_with_a_reason_and_the_elder_hears_it(
    wechat: WeChatSim, wecom: WeComSim, demo: None, session: Session
) -> None:
    wechat.send(ELDER, "我有个微心愿")
    assert "W1 收到了" in wechat.send(ELDER, "想要一台新冰箱")
    assert "W1 已退回" in wecom.send("wx-zhoushuji", "不通过 W1 冰箱超出了微心愿的范围，社区帮您申请临时救助")
    assert "申请临时救助" in pushes_to(session, ELDER, "wish")[-1]
