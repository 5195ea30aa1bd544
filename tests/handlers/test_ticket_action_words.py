"""One table of ticket-action words (models/ticket_actions.py): every word it lists does the action
in chat, and the timeline and the personal-data export name the action from the same table."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from models.personal_data import export_person
from models.ticket_actions import ACTIONS
from tests.support.community import person_of
from tests.support.wechat import WeChatSim


def _report_leak(wechat: WeChatSim) -> None:
    wechat.send("demo-resident-wang", "3栋2单元502卫生间水管漏水")
    assert "已登记报修单 R1001" in wechat.send("demo-resident-wang", "是")  # to 王师傅


@pytest.mark.parametrize("word", ACTIONS["transfer"].typed)
def test_every_transfer_word_transfers(wechat: WeChatSim, demo: None, word: str) -> None:
    _report_leak(wechat)
    assert "已把 R1001 转给李师傅" in wechat.send("demo-grid-sun", f"{word} R1001 李师傅")


@pytest.mark.parametrize("word", [*ACTIONS["accept"].typed])
def test_every_accept_word_accepts(wechat: WeChatSim, demo: None, word: str) -> None:
    _report_leak(wechat)
    assert "已接单 R1001" in wechat.send("demo-staff-wang", f"{word} R1001")


@pytest.mark.parametrize("word", ACTIONS["resolve"].typed)
def test_every_resolve_word_resolves(wechat: WeChatSim, demo: None, word: str) -> None:
    _report_leak(wechat)
    wechat.send("demo-staff-wang", "接单 R1001")
    assert "已完成 R1001" in wechat.send("demo-staff-wang", f"{word} R1001 换了水管")


def test_the_timeline_and_the_export_use_the_same_words(
    wechat: WeChatSim, demo: None, session: Session, admin_headers: dict[str, str]
) -> None:
    _report_leak(wechat)
    wechat.send("demo-grid-sun", "转派 R1001 李师傅")
    timeline = wechat.client.get("/api/v1/tickets/1", headers=admin_headers).json()["timeline"]
    assert timeline[-1]["what"] == ACTIONS["transfer"].story.format(target="李师傅")
    exported = export_person(session, person_of(session, "demo-resident-wang"), now=wechat.clock.now())
    assert [step["action"] for step in exported["tickets"][0]["timeline"]] == [
        ACTIONS["submit"].name,
        ACTIONS["dispatch"].name,
        ACTIONS["transfer"].name,
    ]
