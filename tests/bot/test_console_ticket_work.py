"""The console's ticket page gives the facts (photos, reporter's room and phone, rating, escalation and
mediation in words) and the work: pause/resume, force-complete, 回访, a dispute's outcome."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.settings import Settings
from models.access import AuditEntry
from models.community import find_room
from models.dispatch import accept, dispatch, resolve
from models.disputes import add_note
from models.feedback import rate
from models.outbox import OutboxMessage
from models.people import Person
from models.sla import escalate_overdue
from models.tickets import Ticket, TicketKind, TicketStatus
from tests.bot.test_web_console import _login
from tests.support.console import confirm
from tests.support.tickets import file_ticket, hours_ago, reporter
from tests.support.wechat import WeChatSim

PHOTO = "https://mmbiz.qpic.cn/mmbiz_jpg/leak-under-sink/0"


def _person(engine: Engine, name: str) -> Person:
    with Session(engine) as session:
        return session.exec(select(Person).where(Person.name == name)).one()


def _resident_in_room(engine: Engine, *, name: str, phone: str, now: datetime) -> int:
    """A resident of 3栋2单元502 on WeChat (so pushes reach them)."""
    with Session(engine) as session, session.begin():
        found = find_room(session, building="3", unit="2", room="502")
        assert found is not None
        person = Person(
            openid=f"o-{phone}",
            name=name,
            phone=phone,
            room_id=found[1].id,
            building_id=found[0].id,
            created_at=now,
        )
        session.add(person)
        session.flush()
        assert person.id is not None
        return person.id


def _pushes(engine: Engine, person_id: int) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage.text)
            .where(OutboxMessage.person_id == person_id)
            .order_by(col(OutboxMessage.id))
        )
        return list(rows)


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))))


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_page_shows_photos_reporter_rating_and_escalation_in_words(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = _resident_in_room(engine, name="", phone="13912345678", now=now)  # no name given
    ticket = file_ticket(engine, settings.tickets, reporter_id=who, at=hours_ago(now, 200), category="水电")
    with Session(engine) as session, session.begin():
        row = session.get(Ticket, ticket.id)
        assert row is not None
        row.photos = [PHOTO, "media-id-only-4711"]
        session.add(row)
        escalate_overdue(session, now=now + timedelta(days=10))  # to the top of the ladder
    _login(wechat)

    page = wechat.client.get(f"/console/tickets/{ticket.id}").text
    assert f'<img src="{PHOTO}"' in page and 'alt="居民拍的照片 1"' in page
    assert "另有 1 张照片只存在微信里" in page and "media-id-only-4711" not in page
    reporter_cell = re.search(r'<td id="reporter">(.*?)</td>', page, re.S)
    assert reporter_cell is not None
    assert "3栋2单元502" in reporter_cell.group(1) and "13912345678" in reporter_cell.group(1)
    assert "（未留姓名）" in reporter_cell.group(1)
    assert "已超时，督办到社区书记" in page and "超时升级至社区书记" in page
    text = _text(page)
    for internal in ("0→4", "→4", "escalat", "mediation_note", "督办升级 · 系统"):
        assert internal not in text


def test_the_rating_is_shown_at_the_top(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = _resident_in_room(engine, name="张桂芳", phone="13912345678", now=now)
    ticket = file_ticket(engine, settings.tickets, reporter_id=who, at=now, category="水电")
    with Session(engine) as session, session.begin():
        row, resident = session.get(Ticket, ticket.id), session.get(Person, who)
        assert row is not None and resident is not None
        worker = session.get(Person, row.assignee_id)
        assert worker is not None
        accept(session, ticket=row, person=worker, rules=settings.tickets, now=now)
        resolve(session, ticket=row, actor=worker, note="换了阀门", rules=settings.tickets, now=now)
        rate(
            session, ticket=row, person=resident, overall=4, speed=5, service=3, comment="师傅很细心", now=now
        )
    _login(wechat)
    page = wechat.client.get(f"/console/tickets/{ticket.id}").text
    rating = re.search(r'<section class="panel rating" id="rating".*?</section>', page, re.S)
    assert rating is not None
    assert "总体 4 分" in rating.group(0) and "速度 5 分 · 态度 3 分" in rating.group(0)
    assert "师傅很细心" in rating.group(0)
    assert page.index('id="rating"') < page.index("办理经过")


def test_pause_and_resume_stop_the_clock_with_a_reason(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = reporter(engine, name="张桂芳", phone="13912345678", now=now)
    ticket = file_ticket(engine, settings.tickets, reporter_id=who, at=now, category="水电")
    due = ticket.due_at
    _login(wechat)

    refused = wechat.client.post(f"/console/tickets/{ticket.id}/pause", data={"reason": " "})
    assert "请写明原因" in refused.text
    paused = wechat.client.post(f"/console/tickets/{ticket.id}/pause", data={"reason": "等配件"})
    assert "工单已暂停" in paused.text and "暂停中" in paused.text
    assert "社区办公室管理员 暂停工单（等配件）" in paused.text
    with Session(engine) as session:  # paused past its deadline: nobody is chased
        assert escalate_overdue(session, now=due + timedelta(days=3)) == 0

    clock.advance(timedelta(minutes=25))  # within the login's idle limit
    resumed = wechat.client.post(f"/console/tickets/{ticket.id}/resume", data={"reason": "配件到了"})
    assert "已恢复办理" in resumed.text and "社区办公室管理员 恢复办理（配件到了）" in resumed.text
    with Session(engine) as session:
        row = session.get(Ticket, ticket.id)
        assert row is not None and row.paused_at is None
        assert row.due_at == due + timedelta(minutes=25)
    assert _actions(engine)[-2:] == ["ticket.pause", "ticket.resume"]


def test_force_complete_asks_first_and_tells_the_resident(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = _resident_in_room(engine, name="张桂芳", phone="13912345678", now=now)
    ticket = file_ticket(engine, settings.tickets, reporter_id=who, at=now, category="水电")
    before = len(_pushes(engine, who))
    _login(wechat)

    asked = wechat.client.post(
        f"/console/tickets/{ticket.id}/force-complete", data={"reason": "居民自行修好"}
    )
    assert "强制完成工单" in asked.text and "张桂芳（1 人）" in asked.text
    with Session(engine) as session:
        row = session.get(Ticket, ticket.id)
        assert row is not None and row.status == TicketStatus.dispatched  # nothing yet
    done = confirm(wechat.client, asked)
    assert "工单已强制完成" in done.text and "社区办公室管理员 强制完成（居民自行修好）" in done.text
    assert "已完成待确认" in done.text
    told = _pushes(engine, who)[before:]
    assert len(told) == 1 and "居民自行修好" in told[0] and "打分" in told[0]
    assert _actions(engine)[-1] == "ticket.force_complete"


def test_a_callback_records_the_residents_answer(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = reporter(engine, name="张桂芳", phone="13912345678", now=now)
    ticket = file_ticket(engine, settings.tickets, reporter_id=who, at=now, category="水电")
    _login(wechat)
    assert (
        f'action="/console/tickets/{ticket.id}/callback"'
        not in wechat.client.get(f"/console/tickets/{ticket.id}").text
    )  # nothing to call back about yet
    confirm(
        wechat.client,
        wechat.client.post(f"/console/tickets/{ticket.id}/force-complete", data={"reason": "已修"}),
    )

    missing = wechat.client.post(f"/console/tickets/{ticket.id}/callback", data={"note": "x"})
    assert "请选择居民的回答" in missing.text
    done = wechat.client.post(
        f"/console/tickets/{ticket.id}/callback", data={"answer": "not_fixed", "note": "还是有点滴水"}
    )
    assert "回访已记录，工单已退回处理人重新处理" in done.text
    assert "社区办公室管理员 电话回访（居民说问题没有解决：还是有点滴水）" in done.text
    with Session(engine) as session:
        row = session.get(Ticket, ticket.id)
        assert row is not None and row.resident_fixed is False
        assert row.status == TicketStatus.reopened and row.closed_at is None
    assert _actions(engine)[-1] == "ticket.callback"
    page = wechat.client.get(f"/console/tickets/{ticket.id}").text
    assert f'action="/console/tickets/{ticket.id}/callback"' not in page  # open again: nothing to call back


def test_a_dispute_shows_its_mediation_in_words_and_gets_an_outcome(
    wechat: WeChatSim, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    now = clock.now()
    who = _resident_in_room(engine, name="张桂芳", phone="13912345678", now=now)
    quarrel = file_ticket(engine, settings.tickets, reporter_id=who, at=now, kind=TicketKind.dispute)
    mediator = _person(engine, "刘志强")
    with Session(engine) as session, session.begin():
        row = session.get(Ticket, quarrel.id)
        assert row is not None
        if row.status == TicketStatus.submitted:
            dispatch(session, ticket=row, person=mediator, actor_id=None, actor_label="测试", now=now)
        add_note(session, ticket=row, actor=mediator, text="双方同意晚上十点后不再装修", now=now)
    _login(wechat)

    page = wechat.client.get(f"/console/tickets/{quarrel.id}").text
    assert "调解记录" in page and "刘志强：双方同意晚上十点后不再装修" in page
    assert "记录调解情况" in page and "mediation_note" not in page
    assert f'action="/console/tickets/{quarrel.id}/force-complete"' not in page

    before = len(_pushes(engine, who))
    asked = wechat.client.post(
        f"/console/tickets/{quarrel.id}/conclude", data={"outcome": "resolved", "note": "双方签了协议"}
    )
    assert "结案为「已化解」" in asked.text and "张桂芳（1 人）" in asked.text
    done = confirm(wechat.client, asked)
    assert "已结案：已化解" in done.text and "社区办公室管理员 处理完成（双方签了协议）" in done.text
    with Session(engine) as session:
        row = session.get(Ticket, quarrel.id)
        assert row is not None and row.status == TicketStatus.closed and row.outcome == "resolved"
    told = _pushes(engine, who)[before:]
    assert len(told) == 1 and "已化解" in told[0]
    assert _actions(engine)[-1] == "ticket.conclude"
