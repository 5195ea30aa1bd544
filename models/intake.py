"""电话报修 / 来访登记: the office files a ticket for a resident who phoned or walked in.

It goes through the same service as a ticket from chat (``models.dispatch.open_ticket``: time
limit, routing, pushes), and the timeline says who logged it. The reporter is the resident with
that phone number (the one in that room first) when the community knows them; otherwise a
resident is recorded with the name and phone given, without a room or WeChat: a ticket does not
make anyone a householder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.community import Building, address_label, find_room
from models.people import Person, Role
from models.routing import open_ticket
from models.sla import TicketRules
from models.tickets import Ticket, TicketKind

CHANNELS = {"phone": "电话报修", "walk_in": "来访登记"}
PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$|^\d{7,8}$")


class IntakeError(ValueError):
    """The report cannot be filed; ``field`` is the form field at fault, the message is Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Report:
    """What the resident said, as the office wrote it down."""

    name: str
    phone: str
    building: str
    category: str
    description: str
    unit: str = ""
    room: str = ""
    spot: str = ""  # a common spot instead of a room: 电梯, 楼道
    channel: str = "phone"
    kind: TicketKind = TicketKind.repair


def clean_phone(phone: str) -> str:
    return re.sub(r"[\s\-－]", "", phone) if phone.strip().startswith("1") else phone.strip().replace(" ", "")


def _reporter(session: Session, report: Report, *, room_id: int | None, now: datetime) -> Person:
    phone = clean_phone(report.phone)
    known = session.exec(
        select(Person).where(Person.phone == phone, col(Person.erased_at).is_(None)).order_by(col(Person.id))
    ).all()
    if known:  # the one in that room first, residents before staff
        return min(known, key=lambda p: (p.room_id != room_id, p.role != Role.resident, p.id))
    person = Person(name=report.name.strip(), phone=phone, role=Role.resident, created_at=now)
    session.add(person)
    session.flush()
    return person


def log_report(
    session: Session,
    *,
    report: Report,
    rules: TicketRules,
    now: datetime,
    by_id: int | None,
    by_label: str,
) -> Ticket:
    """File the report; ``by_id`` / ``by_label`` is who logged it (the person behind the console)."""
    if not report.name.strip():
        raise IntakeError("name", "请填写报修人姓名。")
    if not PHONE.match(clean_phone(report.phone)):
        raise IntakeError("phone", "电话号码格式不对，请填写11位手机号或座机号。")
    if not report.description.strip():
        raise IntakeError("description", "请写明要修什么、是什么情况。")
    building = session.exec(select(Building).where(Building.number == report.building)).first()
    if building is None:
        raise IntakeError("building", "请选择楼栋。")
    room_id, place = None, building.label + (f"{report.unit}单元" if report.unit else "")
    if report.room.strip():
        found = find_room(
            session, building=building.number, unit=report.unit.strip(), room=report.room.strip()
        )
        if found is None:
            label = address_label(building.number, report.unit.strip(), report.room.strip())
            raise IntakeError("room", f"房屋信息中没有「{label}」，请核对单元和房号，或改填公共位置。")
        room_id, place = found[1].id, address_label(building.number, found[1].unit, found[1].room)
    elif report.spot.strip():
        place += report.spot.strip()
    reporter = _reporter(session, report, room_id=room_id, now=now)
    channel = CHANNELS.get(report.channel, CHANNELS["phone"])
    return open_ticket(
        session,
        rules=rules,
        kind=report.kind,
        reporter=reporter,
        now=now,
        intake=(by_id, by_label, channel),
        category=report.category if report.kind == TicketKind.repair else "",
        building_id=building.id,
        room_id=room_id,
        spot=report.spot.strip()[:40],
        place=place,
        description=report.description.strip()[:500],
    )
