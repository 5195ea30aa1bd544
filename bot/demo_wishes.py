"""The demo history's 微心愿 (``hgj demo seed``): one of each state, made by ``models.wishes``; and one
三级议事 topic, from its raising to its 整改清单 item done.

Two fulfilled and confirmed (points to the member), one done and waiting for the resident's
「收到了」 (王秀兰: try it in ``hgj chat``), one claimed and under way, one published and waiting for
a member, one waiting for review, one declined with its reason. Times as ``bot.demo`` writes
them: 「-20d 09:10」, or hours before the seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from models import wishes
from models.people import Person
from models.wishes import Wish

if TYPE_CHECKING:
    from bot.demo import _History

SECRETARY = "周书记"
POINTS = 5


@dataclass(frozen=True)
class WishStory:
    resident: str  # openid
    text: str
    filed: str | float  # when: 「-20d 09:10」, or hours before the seed
    approved: float | None = None  # hours after filing
    declined: tuple[float, str] | None = None  # hours after filing, the reason
    claimed: tuple[float, str] | None = None  # hours after filing, the member's openid
    fulfilled: tuple[float, str] | None = None  # hours after filing, the member's note
    confirmed: float | None = None  # hours after filing


STORIES: tuple[WishStory, ...] = (
    WishStory(
        "demo-elder-liu",
        "想请人陪我去医院复查，一个人去不方便",
        "-20d 09:10",
        approved=2,
        claimed=(3, "demo-party-huang"),
        fulfilled=(74, "周六陪刘奶奶去市三院复查了，血压血糖都正常，药也取回来了"),
        confirmed=77,
    ),
    WishStory(
        "demo-resident-wang",
        "孙子想要几本课外书，家里这两年紧张",
        "-12d 19:40",
        approved=14,
        claimed=(15, "demo-party-gao"),
        fulfilled=(40, "送去了五本故事书和一本新华字典"),
        confirmed=41,
    ),
    WishStory(
        "demo-resident-li",
        "想请人教我用手机挂号，每次去医院都排不上",
        "-3d 10:20",
        approved=4,
        claimed=(6, "demo-party-qian"),
    ),
    WishStory(
        "demo-resident-wang",
        "阳台上有几个旧花盆太沉了，想请人帮忙搬下楼",
        "-2d 16:00",
        approved=1,
        claimed=(2, "demo-party-gao"),
        fulfilled=(20, "花盆搬到楼下花坛边了，空盆放在垃圾站旁"),
    ),
    WishStory("demo-elder-liu", "想请人帮我把冬天的厚被子拿下来晒一晒，我够不着", "-1d 08:30", approved=3),
    WishStory("demo-resident-zhao", "家里老人想要一副老花镜，看报纸太费劲", 5.0),
    WishStory(
        "demo-resident-zhang",
        "想要一台新空调",
        "-8d 15:00",
        declined=(20, "空调超出了微心愿的范围，社区帮您问问临时救助，回头给您打电话"),
    ),
)


def plan(history: _History) -> None:
    """Plan every story's moments on the demo's clock."""
    for story in STORIES:
        _plan(history, story)


def _person(session: Session, openid: str) -> Person:
    person = session.exec(select(Person).where(Person.openid == openid)).first()
    if person is None:
        from bot.demo import DemoError

        raise DemoError(f"数据库里找不到 {openid}。请先运行 hgj import examples/demo-community.toml。")
    return person


def _plan(history: _History, story: WishStory) -> None:
    session = history.session
    filed = history.moment(story.filed)
    held: dict[str, Wish] = {}

    def submit() -> None:
        held["wish"] = wishes.submit(
            session, resident=_person(session, story.resident), text=story.text, now=history.clock.now()
        )

    history.at(filed, submit)
    if story.approved is not None:
        history.at(
            filed + timedelta(hours=story.approved),
            lambda: wishes.approve(session, wish=held["wish"], by=SECRETARY, now=history.clock.now()),
        )
    if story.declined is not None:
        hours, reason = story.declined
        history.at(
            filed + timedelta(hours=hours),
            lambda: wishes.decline(
                session, wish=held["wish"], by=SECRETARY, reason=reason, now=history.clock.now()
            ),
        )
    if story.claimed is not None:
        hours, member = story.claimed
        history.at(
            filed + timedelta(hours=hours),
            lambda: _ok(
                wishes.claim(
                    session, wish=held["wish"], person=_person(session, member), now=history.clock.now()
                )
            ),
        )
    if story.fulfilled is not None and story.claimed is not None:
        hours, note = story.fulfilled
        member = story.claimed[1]
        history.at(
            filed + timedelta(hours=hours),
            lambda: _ok(
                wishes.fulfil(
                    session,
                    wish=held["wish"],
                    person=_person(session, member),
                    note=note,
                    now=history.clock.now(),
                )
            ),
        )
    if story.confirmed is not None:
        history.at(
            filed + timedelta(hours=story.confirmed),
            lambda: _ok(
                wishes.confirm(
                    session,
                    wish=held["wish"],
                    resident=_person(session, story.resident),
                    points=POINTS,
                    now=history.clock.now(),
                )
            ),
        )


def _ok(outcome: wishes.Outcome) -> None:
    if not outcome.ok:
        raise RuntimeError(f"demo 微心愿: {outcome.reason}")


# 三级议事 (models.deliberation): one suggestion of the demo's past, raised, seconded, sent up from
# 网上议事 to 物业党群议事会, decided there, its 整改清单 item done by 王师傅 and the raisers told.
def plan_topic(history: _History) -> None:
    from models import deliberation
    from models.topics import PlannedItem, Tier, Topic, items_of

    session = history.session
    held: dict[str, Topic] = {}
    raised = history.moment("-10d 20:15")

    def now() -> datetime:
        return history.clock.now()

    def raise_it() -> None:
        held["topic"] = deliberation.raise_topic(
            session,
            title="小区南门晚上路灯太暗，老人走路不安全",
            resident=_person(session, "demo-resident-zhao"),
            now=now(),
        )

    def meet(tier: Tier, decision: str, items: list[PlannedItem]) -> None:
        deliberation.record_meeting(
            session, topic=held["topic"], tier=tier, held_on=now().date(), participants=[SECRETARY, "物业经理", "居民代表"],
            minutes="", decision=decision, escalate=not items, items=items, by=SECRETARY, now=now(),
        )  # fmt: skip

    history.at(raised, raise_it)
    history.at(
        raised + timedelta(hours=1),
        lambda: deliberation.second(
            session, topic=held["topic"], resident=_person(session, "demo-resident-li"), now=now()
        ),
    )
    history.at(raised + timedelta(hours=38), lambda: meet(Tier.online, "网上附议多，提交物业党群议事会", []))
    staff = "demo-staff-wang"

    def decide() -> None:
        item = PlannedItem(
            "南门加装两盏路灯", _person(session, staff).id or 0, (now() + timedelta(days=5)).date()
        )
        meet(Tier.property, "同意加装路灯，费用从公共收益列支", [item])

    history.at(raised + timedelta(days=3), decide)

    def close() -> None:
        item = items_of(session, topic=held["topic"])[0]
        deliberation.close_item(
            session, item=item, owner=_person(session, staff), note="两盏路灯装好了", now=now()
        )

    history.at(raised + timedelta(days=6), close)
