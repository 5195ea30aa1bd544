"""What the fallback says to a message it cannot place (trial report 2026-12-01 §8.5, §7.5): a sign
alone gets a short invitation, a bare yes with nothing to confirm is answered as one, and a staff
member is shown examples of their own work, not a resident's."""

from __future__ import annotations

from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
STAFF = "demo-staff-wang"
RESIDENT_EXAMPLE = "5栋1单元301卫生间漏水"


def test_a_question_mark_or_a_smile_gets_a_short_invitation(wechat: WeChatSim, demo: None) -> None:
    for sign in ("?", "😀"):
        reply = wechat.send(WANG, sign)
        assert "没太明白" not in reply and "直接说" in reply


def test_a_yes_with_nothing_waiting_is_answered_as_one(wechat: WeChatSim, demo: None) -> None:
    for yes in ("是 的", "是"):
        reply = wechat.send(WANG, yes)
        assert "没太明白" not in reply and "没有等您确认" in reply


def test_a_worker_is_shown_a_workers_examples(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(STAFF, "这个东西你看看")
    assert RESIDENT_EXAMPLE not in reply and "「我的任务」" in reply
