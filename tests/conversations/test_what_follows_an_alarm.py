"""After an alarm (issue 14, a stranger's report): one danger stays one incident, another is its own.

A reporter calling again (「我在家 快来人」) adds to her fire; the repair she had open is kept and
offered back. Someone else's bare call for help, a lift, or a fire in another flat is a new incident
with its own full alarm. A visitor answering where she lives raises no alarm; a danger named after
a bare call for help alarms in full. 「电梯里应该没人」 is no alarm, and a 待核实 alarm keeps the
form that was open: it is offered back once the safety question is answered.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG, ZHAO, LI, LIU = "demo-resident-wang", "demo-resident-zhao", "demo-resident-li", "demo-elder-liu"


def _pushes(observed: Observed) -> list[str]:
    with Session(observed.engine) as session:
        query = select(OutboxMessage.text).where(OutboxMessage.kind == "emergency")
        return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def _say(wechat: WeChatSim, who: str, text: str) -> str:
    wechat.clock.advance(seconds=30)  # type: ignore[attr-defined]
    return wechat.send(who, text)


def test_calling_again_joins_the_fire_and_the_repair_is_kept(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    _say(wechat, WANG, "楼道灯不亮了")
    first = _say(wechat, WANG, "哎呀厨房着火了 火好大")
    assert "E1001" in first and "「报修」已为您保留" in first and "继续" in first
    alerted = len(_pushes(observed))
    again = _say(wechat, WANG, "我在家 快来人")
    assert "E1001" in again and "119" in again
    assert len(observed.tickets(TicketKind.emergency)) == 1
    told = _pushes(observed)[alerted:]
    assert len(told) == alerted and all(t.startswith("【紧急·补充】E1001") for t in told)
    assert "楼道灯不亮了" in _say(wechat, WANG, "继续")
    _say(wechat, WANG, "是")
    (repair,) = observed.tickets(TicketKind.repair)
    assert repair.category == "照明"


def test_another_danger_or_another_flat_is_its_own_incident(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    _say(wechat, ZHAO, "我家厨房着火了 火好大")  # 2栋2单元202
    _say(wechat, ZHAO, "我在家 快来人")
    lift = _say(wechat, LI, "快来人啊 2栋电梯卡在半截了 里面有个小孩在哭")
    assert "E1002" in lift and "96333" in lift and "邻居" not in lift
    assert any(t.startswith("【紧急】") and "E1002" in t and "小孩" in t for t in _pushes(observed))
    other_flat = _say(wechat, WANG, "2栋2单元601着火了 好大的烟")
    assert "E1003" in other_flat and "邻居" not in other_flat
    same_fire = _say(wechat, LIU, "2栋2单元202着火了 好多烟")
    assert "邻居刚才也报告了" in same_fire and "E1001" in same_fire
    spots = {t.code: t.spot for t in observed.tickets(TicketKind.emergency)}
    assert spots == {"E1001": "fire", "E1002": "lift", "E1003": "fire"}


def test_a_visitor_saying_where_her_mother_lives_raises_no_alarm(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    visitor = "stranger-visitor-1"
    assert "住在哪里" in _say(wechat, visitor, "绑定")
    reply = _say(wechat, visitor, "我不是这个小区的 我是来看我妈的 她住1栋2单元302")
    assert "不用绑定" in reply and "紧急" not in reply
    assert observed.tickets(TicketKind.emergency) == [] and _pushes(observed) == []
    gas = _say(wechat, visitor, "她家煤气味好重 开门就闻到了")
    assert "燃气" in gas and "已通知" in gas
    assert any(t.startswith("【紧急】") and "煤气味好重" in t for t in _pushes(observed))


def test_a_danger_named_after_a_bare_call_for_help_alarms_in_full(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    _say(wechat, WANG, "快来人啊")
    alerted = len(_pushes(observed))
    reply = _say(wechat, WANG, "厨房着火了 好多烟")
    assert "119" in reply and "已通知" in reply and "E1001" in reply
    again = _pushes(observed)[alerted:]
    assert len(again) >= alerted and all(t.startswith("【紧急】") and "厨房着火了" in t for t in again)
    (ticket,) = observed.tickets(TicketKind.emergency)
    assert ticket.spot == "fire" and "厨房着火了" in ticket.description


def test_nobody_in_the_lift_is_no_alarm_and_the_repair_goes_on(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    assert "类别：电梯" in _say(wechat, LIU, "没着火啊 就是电闸跳了 整栋楼都黑了 电梯也停了")
    denial = _say(wechat, LIU, "电梯里应该没人 我刚看了")
    assert "待核实" not in denial and "类别：电梯" in denial
    assert "类别：电梯" in _say(wechat, LIU, "那就是报个修")
    _say(wechat, LIU, "是")
    assert observed.tickets(TicketKind.emergency) == [] and _pushes(observed) == []
    (repair,) = observed.tickets(TicketKind.repair)
    assert repair.category == "电梯"


def test_an_unconfirmed_alarm_keeps_the_open_form(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    _say(wechat, WANG, "楼道灯不亮了")
    urgent = _say(wechat, WANG, "插座有点发烫 怎么办 好担心")
    assert "有人受伤" in urgent and "报修" not in urgent  # the one question first, nothing in its way
    stood_down = _say(wechat, WANG, "没有 就是有点热 已经拔了插头")
    assert "不用赶来" in stood_down and "「报修」还没办完" in stood_down
    assert "楼道灯不亮了" in _say(wechat, WANG, "继续")
