"""After one's own alarm, what is told next belongs to it; thanks are answered; a new request is one.

From set 14's conversations: 「没砸到人，但是上面还有好几块翘着」 after falling tiles opened a repair
form; 「物业来人把楼上总阀关了，谢谢」 after water on a lamp opened a dispute; a description of who
lives upstairs inside a dispute form raised an alarm; a question about yesterday's lift entrapment
raised one too.
"""

from __future__ import annotations

from models.tickets import TicketKind
from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


def test_more_about_the_danger_joins_the_incident(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    assert "E10" in wechat.send(WANG, "1栋东边外墙的瓷砖在往下掉，刚掉了一块砸碎在地上")
    reply = wechat.send(WANG, "没砸到人，不过上头还有几块翘起来了")
    assert "已把您说的记入紧急求助" in reply and "什么问题" not in reply
    assert len(observed.tickets(TicketKind.emergency)) == 1  # told to those alerted, no second alarm
    assert not observed.tickets(TicketKind.repair)


def test_thanks_with_news_is_thanked_and_kept(wechat: WeChatSim, demo: None, observed: Observed) -> None:
    wechat.send(WANG, "楼上往我家滴水，顺着吊灯往下流，灯一闪一闪的")
    reply = wechat.send(WANG, "物业来人把楼上的总阀关了，谢谢")
    assert "不客气" in reply and "对方" not in reply
    assert not observed.tickets(TicketKind.dispute)


def test_a_clear_request_after_the_alarm_is_its_own(wechat: WeChatSim, demo: None) -> None:
    wechat.send(WANG, "我孙子拿钥匙捅插座被电了一下，手上黑了一块")
    wechat.send(WANG, "能动能哭，就是手指头黑了")
    reply = wechat.send(WANG, "好 我带他去医院 那个插座你们找人来修一下")
    assert "报修" in reply


def test_who_lives_upstairs_is_an_answer_not_an_alarm(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "楼上天天晚上跺脚，吵得睡不着")
    reply = wechat.send(WANG, "就是我正楼上602，一个老头带着孙子住")
    assert not observed.alerted()
    assert "紧急" not in reply


def test_asking_what_became_of_yesterdays_entrapment_is_no_alarm(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    wechat.send(WANG, "昨天高层电梯困人了，后来怎么样了")
    assert not observed.alerted()


def test_a_newcomer_tells_the_place_before_a_number_and_it_goes_out_at_once(
    wechat: WeChatSim, demo: None, observed: Observed
) -> None:
    newcomer = "newcomer-lift-trapped"
    assert "电话" in wechat.send(newcomer, "电梯卡住了 里面有人 快来")
    before = set(observed.alerted())
    reply = wechat.send(newcomer, "5栋 2单元 卡在四楼上下")
    assert "已把位置转告" in reply and "电话" in reply  # the number is still asked
    assert set(observed.alerted()) > before  # the building's people heard it without waiting
    reply = wechat.send(newcomer, "里面是我老公和孩子，他们说有点闷")
    assert "已把您说的记入紧急求助" in reply and "电话" in reply
    assert len(observed.tickets(TicketKind.emergency)) == 1
