"""「导出我的信息」 and 「删除我的信息」 in chat, through the real app with signed, encrypted messages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.settings import Settings
from models.inbound import InboundMessage
from models.people import Person, person_by_openid
from models.tickets import Ticket, TicketStatus
from tests.support.wechat import WeChatSim

WANG = "demo-resident-wang"
LINK = re.compile(r"https://hgj\.example\.org(/me/export/\S+)")


@pytest.fixture
def linked(settings: Settings) -> Settings:
    settings.privacy.public_url = "https://hgj.example.org/"
    return settings


def _report_leak(wechat: WeChatSim) -> None:
    assert "请确认报修" in wechat.send(WANG, "我家厨房水管漏水了，电话13803510001")
    assert "已登记报修单" in wechat.send(WANG, "是")


def test_export_answers_with_a_summary_and_a_link_to_the_full_copy(
    wechat: WeChatSim, demo: None, linked: Settings
) -> None:
    _report_leak(wechat)
    reply = wechat.send(WANG, "导出我的信息")
    assert reply.startswith(
        "王秀兰您好，红管家保存着您的：姓名、电话、房屋绑定（3栋2单元502）、报修投诉 1 件"
    )
    assert "60 分钟内" in reply
    assert len(reply.encode()) < 2048  # one passive reply
    path = LINK.search(reply).group(1)  # type: ignore[union-attr]
    page = wechat.client.get(path)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    assert "王秀兰" in page.text and "13803510001" in page.text and "R1001" in page.text
    assert "我家厨房水管漏水了" in page.text  # what she wrote to the bot
    data = wechat.client.get(path, params={"format": "json"})
    assert data.headers["content-disposition"].startswith("attachment")
    body = data.json()
    assert body["profile"]["home"] == "3栋2单元502" and body["tickets"][0]["code"] == "R1001"


def test_a_link_expires_and_cannot_be_forged(
    wechat: WeChatSim, demo: None, linked: Settings, clock: ManualClock
) -> None:
    path = LINK.search(wechat.send(WANG, "导出我的信息")).group(1)  # type: ignore[union-attr]
    person_id, expires, signature = path.rsplit("/", 1)[1].split(".")
    other = person_by_openid_id(wechat, "demo-resident-li")
    forged = f"/me/export/{other}.{expires}.{signature}"
    assert wechat.client.get(forged).status_code == 404
    assert wechat.client.get(f"/me/export/{person_id}.{int(expires) + 3600}.{signature}").status_code == 404
    clock.advance(timedelta(minutes=61))
    gone = wechat.client.get(path)
    assert gone.status_code == 404 and "链接已失效" in gone.text and "王秀兰" not in gone.text


def person_by_openid_id(wechat: WeChatSim, openid: str) -> int:
    engine = wechat.client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        person = person_by_openid(session, openid)
        assert person is not None and person.id is not None
        return person.id


def test_without_a_public_address_the_office_gives_the_copy(wechat: WeChatSim, demo: None) -> None:
    reply = wechat.send(WANG, "导出我的信息")
    assert "报修投诉" not in reply and "物业服务中心办理（电话 0351-6012345）" in reply
    assert "http" not in reply


def test_export_inside_a_repair_form_puts_the_form_aside(wechat: WeChatSim, demo: None) -> None:
    assert "请确认报修" in wechat.send(WANG, "我家厨房水管漏水了")
    reply = wechat.send(WANG, "导出我的信息")
    assert "红管家保存着您的" in reply and "刚才的「报修」还没办完" in reply
    assert "请确认报修" in wechat.send(WANG, "继续")
    assert "已登记报修单" in wechat.send(WANG, "是")


def test_erasure_asks_for_the_exact_words_then_erases(
    wechat: WeChatSim, demo: None, linked: Settings, engine: Engine
) -> None:
    _report_leak(wechat)
    path = LINK.search(wechat.send(WANG, "导出我的信息")).group(1)  # type: ignore[union-attr]
    explain = wechat.send(WANG, "删除我的信息")
    assert "确认删除请回复：确认删除" in explain and "票数不变" in explain
    assert len(explain.encode()) < 2048
    assert "确认删除请回复：确认删除" in wechat.send(WANG, "是")  # a bare yes erases nothing
    msg_id = wechat.next_msg_id()
    done = wechat.send(WANG, "确认删除", msg_id=msg_id)
    assert "已删除您的个人信息" in done and "R1001 会继续处理" in done
    # WeChat retrying the confirmation gets the same answer and changes nothing.
    assert wechat.send(WANG, "确认删除", msg_id=msg_id) == done
    with Session(engine) as session:
        assert person_by_openid(session, WANG) is None
        ticket = session.exec(select(Ticket)).one()
        assert ticket.status == TicketStatus.dispatched and "13803510001" not in ticket.description
        reporter = session.get(Person, ticket.reporter_id)
        assert reporter is not None and reporter.erased_at is not None and reporter.name == ""
        rows = session.exec(select(InboundMessage)).all()
        assert [(r.user_id, r.text) for r in rows] == [("", "")]  # only the confirmation, anonymous
    assert wechat.client.get(path).status_code == 404  # her link died with her data
    # The same WeChat account writing again is somebody new.
    assert "您还没有报修" in wechat.send(WANG, "我的工单")
    with Session(engine) as session:
        newcomer = person_by_openid(session, WANG)
        assert newcomer is not None and newcomer.id != ticket.reporter_id and newcomer.room_id is None


def test_cancel_keeps_everything(wechat: WeChatSim, demo: None, engine: Engine) -> None:
    wechat.send(WANG, "删除我的信息")
    assert "已取消「删除我的信息」" in wechat.send(WANG, "取消")
    assert "没有待确认的删除" in wechat.send(WANG, "确认删除")
    with Session(engine) as session:
        assert person_by_openid(session, WANG) is not None


def test_delete_inside_another_flow_is_not_an_erasure(wechat: WeChatSim, demo: None, engine: Engine) -> None:
    assert "请确认报修" in wechat.send(WANG, "我家厨房水管漏水了")
    wechat.send(WANG, "删除")
    wechat.send(WANG, "确认删除")
    with Session(engine) as session:
        assert person_by_openid(session, WANG) is not None


def test_erasure_inside_a_repair_form_drops_the_form_too(
    wechat: WeChatSim, demo: None, engine: Engine
) -> None:
    assert "请确认报修" in wechat.send(WANG, "我家厨房水管漏水了")
    assert "确认删除请回复" in wechat.send(WANG, "删除我的信息")
    assert "已删除您的个人信息" in wechat.send(WANG, "确认删除")
    assert "没有没办完的事" in wechat.send(WANG, "继续")
    with Session(engine) as session:
        assert session.exec(select(Ticket)).all() == []


def test_an_emergency_outranks_the_erasure_question(wechat: WeChatSim, demo: None, engine: Engine) -> None:
    wechat.send(WANG, "删除我的信息")
    reply = wechat.send(WANG, "厨房着火了！")
    assert "119" in reply
    with Session(engine) as session:
        assert person_by_openid(session, WANG) is not None


def test_staff_are_sent_to_the_office(wechat: WeChatSim, demo: None) -> None:
    assert "联系社区管理员" in wechat.send("demo-staff-wang", "删除我的信息")


def test_the_confirmation_in_one_batch_with_a_later_message(
    wechat: WeChatSim, demo: None, engine: Engine
) -> None:
    """A message after the erasure in the same transaction is handled for someone new."""
    from bot.message import Message

    pipeline = wechat.client.app.state.pipeline  # type: ignore[attr-defined]
    wechat.send(WANG, "删除我的信息")
    messages = [
        Message(channel="mp", user_id=WANG, kind="text", text=text, msg_id=str(wechat.next_msg_id()))
        for text in ("确认删除", "我的工单")
    ]
    first, second = pipeline.process_batch(messages)
    assert "已删除" in first[0].content and "王秀兰" not in " ".join(r.content for r in second)
    with Session(engine) as session:
        newcomer = person_by_openid(session, WANG)
        assert newcomer is not None and newcomer.erased_at is None


def test_someone_new_hears_that_nothing_is_kept(wechat: WeChatSim, demo: None) -> None:
    assert "只保存了您的微信标识" in wechat.send("stranger", "导出我的信息")


@pytest.mark.parametrize("text", ["请帮我导出我的个人信息", "我想下载我的数据", "我的信息？"])
def test_export_in_other_words(wechat: WeChatSim, demo: None, text: str) -> None:
    assert "红管家保存着您的" in wechat.send(WANG, text)


@pytest.mark.parametrize("text", ["请删除我的个人信息", "我要注销账号", "帮我删掉我的数据吧"])
def test_erasure_in_other_words(wechat: WeChatSim, demo: None, text: str) -> None:
    assert "确认删除请回复：确认删除" in wechat.send(WANG, text)


@pytest.mark.parametrize(
    "token",
    ["abc", "1.2", "1.2.3.4", "9" * 30 + ".1.x", "1." + "9" * 150 + ".x", "-1.5.x", "1.99999999999.%00"],
)
def test_a_broken_token_is_a_plain_not_found(wechat: WeChatSim, demo: None, token: str) -> None:
    for params in ({}, {"format": "json"}):
        response = wechat.client.get(f"/me/export/{token}", params=params)
        assert response.status_code == 404 and "链接已失效" in response.text
