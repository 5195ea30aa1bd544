"""What a resident tells right after a report is filed joins it; a report never made is made.

From set 14's conversations: a complaint about the repair department filed at once was followed by
who answered the phone and what the resident demands, each read as a progress question; a
stairwell lamp burnt in an old fire, 「到现在还没换」, was answered 「您还没有报修」; 「算了不用了，
楼栋长说他已经报过了」 at the confirm step was 「没有看懂」; a detail at a confirm step was refused.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
COMPLAINT = (
    "我想投诉一下物业维修部。我家厨房水龙头上个月就报了，师傅来看了一眼说要买零件，后来再也没人来，"
    "打电话总说在忙。我一个人住，实在没办法。"
)


def test_what_follows_a_complaint_filed_at_once_joins_it(
    wechat: WeChatSim, demo: None, observed: Observed, engine: Engine
) -> None:
    filed = wechat.send(WANG, COMPLAINT)
    assert "投诉" in filed and "C10" in filed
    reply = wechat.send(WANG, "接电话的是个小伙子，来的师傅姓张")
    assert "已补充到投诉" in reply and "师傅姓张" in reply
    wechat.send(WANG, "我要求这周内修好，还要给我个说法")
    complaints = observed.tickets(TicketKind.complaint)
    assert len(complaints) == 1
    assert "师傅姓张" in complaints[0].description and "这周内修好" in complaints[0].description
    with Session(engine) as session:
        pushed = session.exec(select(OutboxMessage.text).order_by(col(OutboxMessage.id))).all()
    assert any("【补充】" in text and "师傅姓张" in text for text in pushed)  # the handler hears it


def test_much_later_the_same_words_are_no_detail(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    wechat.send(WANG, COMPLAINT)
    wechat.clock.advance(hours=1)  # type: ignore[attr-defined]
    wechat.send(WANG, "接电话的是个小伙子，来的师傅姓张")
    assert "师傅姓张" not in observed.tickets(TicketKind.complaint)[0].description


def test_a_problem_never_reported_is_reported_now(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    reply = wechat.send(WANG, "上回楼道失火把四楼的灯烧坏了，到现在还没人换")
    assert "没找到您报过" in reply and "请确认报修" in reply
    reply = wechat.send(WANG, "四楼，就是墙熏黑的那一块")
    assert "墙熏黑" in reply and "没有看懂" not in reply  # a detail at the confirm step is kept
    assert "已登记报修单" in wechat.send(WANG, "确认")
    assert len(observed.tickets(TicketKind.repair)) == 1


def test_someone_else_reported_it_so_it_is_stopped(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    wechat.send(WANG, "单元门关不上了，闭门器坏了")
    wechat.send(WANG, "一楼单元大门")
    reply = wechat.send(WANG, "算了不用了，楼栋长说他已经报过了")
    assert "已取消" in reply
    assert not observed.tickets(TicketKind.repair)
