"""Questions about an incident that is over or only imagined raise no alarm; the same danger told
as happening now does, inside a form too."""

from __future__ import annotations

import pytest

from tests.conversations.conftest import Observed
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"


@pytest.mark.parametrize(
    "asked",
    [
        "上次着火的时候消防通道被堵了 物业到底管不管",
        "如果电梯困人了怎么办",
        "万一漏水淹了楼下谁赔",
        "要是家里煤气泄漏了第一步该干嘛",
        "去年楼道着火烧坏了我家门 损失谁承担",
    ],
)
def test_a_question_about_an_incident_not_happening_is_no_alarm(
    wechat: WeChatSim, demo: None, observed: Observed, asked: str
) -> None:
    assert "请先保证安全" not in wechat.send(WANG, asked)
    assert observed.alerted() == []


@pytest.mark.parametrize(
    "told", ["上次报的漏水没人修 现在管子爆了 水喷得到处都是", "上次电梯就坏过 现在又把我妈困在里面了"]
)
def test_a_danger_now_after_a_past_one_alerts_inside_a_form(
    wechat: WeChatSim, demo: None, observed: Observed, told: str
) -> None:
    wechat.send(WANG, "楼道灯不亮 3栋2单元")
    wechat.send(WANG, told)
    assert observed.alerted()
