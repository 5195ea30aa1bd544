"""A ticket's page in a real browser at a desk (1366×768) and on a phone (390×844): the resident's
photo is shown, with the reporter's room and phone and the escalation in words; pausing with a
reason and force-completing (asked first) work from the page. axe-core finds nothing serious,
nothing scrolls sideways on the phone, and every step's screenshot goes to test-artifacts/browser/."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.settings import Settings
from models.community import find_room
from models.people import Person
from models.sla import escalate_overdue
from models.tickets import Ticket
from tests.conftest import ADMIN_TOKEN
from tests.support.tickets import file_ticket, hours_ago

SIZES = {"desk": (1366, 768), "phone": (390, 844)}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
PHOTO = "https://mmbiz.qpic.cn/mmbiz_jpg/leak-{size}/0"


def _png(width: int = 64, height: int = 48) -> bytes:
    """A small solid PNG, served in place of WeChat's picture link (the test runs offline)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes((70, 130, 180)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _arrange(engine: Engine, settings: Settings, clock: ManualClock, size: str) -> int:
    now = clock.now()
    with Session(engine) as session, session.begin():
        found = find_room(session, building="3", unit="2", room="502")
        assert found is not None
        person = Person(
            name="", phone="13912345678", room_id=found[1].id, building_id=found[0].id, created_at=now
        )
        session.add(person)
        session.flush()
        who = person.id
    assert who is not None
    ticket = file_ticket(
        engine,
        settings.tickets,
        reporter_id=who,
        at=hours_ago(now, 200),
        category="水电",
        description="厨房水槽下漏水",
    )
    with Session(engine) as session, session.begin():
        row = session.get(Ticket, ticket.id)
        assert row is not None
        row.photos = [PHOTO.format(size=size)]
        session.add(row)
        escalate_overdue(session, now=now + timedelta(minutes=1))
    assert ticket.id is not None
    return ticket.id


def _check(page: Any, axe: Any, shot: Any, size: str, step: str, problems: list[str]) -> None:
    shot(f"{size}-{step}")
    problems.extend(f"{size} {step}: {v}" for v in axe())
    if size == "phone" and (wider := page.evaluate(SIDEWAYS)) > 0:
        problems.append(f"{size} {step}: scrolls sideways by {wider} px")


def test_a_ticket_with_a_photo_at_a_desk_and_on_a_phone(
    browser_page: Any, axe: Any, shot: Any, engine: Engine, settings: Settings, clock: ManualClock, demo: None
) -> None:
    page = browser_page
    page.route("https://mmbiz.qpic.cn/**", lambda route: route.fulfill(content_type="image/png", body=_png()))
    problems: list[str] = []
    for size, (width, height) in SIZES.items():
        ticket_id = _arrange(engine, settings, clock, size)
        page.set_viewport_size({"width": width, "height": height})
        page.context.clear_cookies()
        page.goto("/console/login")
        page.fill("input[name=token]", ADMIN_TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/")

        page.goto(f"/console/tickets/{ticket_id}")
        photo = page.locator("#photos img").first
        photo.wait_for()
        assert photo.get_attribute("alt") == "居民拍的照片 1"
        assert page.evaluate("() => document.querySelector('#photos img').complete")
        assert page.evaluate("() => document.querySelector('#photos img').naturalWidth") == 64
        reporter = page.inner_text("#reporter")
        assert "3栋2单元502" in reporter and "13912345678" in reporter
        assert page.inner_text("#escalation") == "已超时，督办到社区书记"
        body = page.inner_text("main")
        assert "→" not in body and "escalate" not in body
        _check(page, axe, shot, size, "ticket", problems)

        page.fill("#pause-reason", "等配件")
        page.click("#pause")
        page.wait_for_selector("#paused")
        assert "暂停工单（等配件）" in page.inner_text("main")
        _check(page, axe, shot, size, "paused", problems)

        page.fill("#force-reason", "居民自行修好")
        page.click("#force-complete")
        page.wait_for_selector("#confirm")
        assert "强制完成工单" in page.inner_text("main")
        _check(page, axe, shot, size, "force-confirm", problems)
        page.click("#confirm")
        page.wait_for_selector("text=工单已强制完成")
        assert "已完成待确认" in page.inner_text("#status")
        _check(page, axe, shot, size, "forced", problems)
    assert not problems, "\n".join(problems)
