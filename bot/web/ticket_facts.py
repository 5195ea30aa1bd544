"""The facts on a console ticket page: where, who reported it (name, room, phone), the photos, the
rating, how far it was escalated and the mediation record, all in words; the location the resident
sent as a map link, and whether the report came from a spot's QR code (码上办).

Photos are the picture links WeChat gave with the resident's image; a photo kept only as a media
id (no link) is counted, not shown, since the console cannot open it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.web.common import local
from bot.web.confirm import Question, fingerprint
from models.community import Building, Room, room_label
from models.dispatch import handler_label, map_link
from models.people import ERASED_LABEL, Person, pushable
from models.sla import LADDER
from models.tickets import Rating, Ticket

STARS = "★★★★★"


@dataclass(frozen=True)
class Reporter:
    name: str
    room: str
    phone: str


@dataclass(frozen=True)
class Facts:
    reporter: Reporter
    location: str
    photos: list[str]
    resolution_photos: list[str]
    unseen_photos: int
    rating: dict[str, str] | None
    escalation: str
    mediation: list[dict[str, str]] = field(default_factory=list)
    paused: str = ""
    map_link: str = ""  # the location the resident sent, on a map
    scanned: bool = False  # reported by scanning a spot's QR code (码上办)


def _links(photos: list[str]) -> list[str]:
    return [p for p in photos if p.startswith(("https://", "http://"))]


def _room(session: Session, room_id: int | None) -> str:
    room = session.get(Room, room_id) if room_id else None
    building = session.get(Building, room.building_id) if room else None
    return room_label(building, room) if room and building else ""


def reporter(session: Session, ticket: Ticket) -> Reporter:
    person = session.get(Person, ticket.reporter_id)
    if person is None:
        return Reporter("（无记录）", "", "")
    if person.erased_at is not None:
        return Reporter(ERASED_LABEL, "", "")
    return Reporter(person.name or "（未留姓名）", _room(session, person.room_id), person.phone)


def location(session: Session, ticket: Ticket) -> str:
    room = _room(session, ticket.room_id)
    parts = [ticket.place or room or "未注明地点"]
    if ticket.spot and ticket.spot not in parts[0]:
        parts.append(ticket.spot)
    if room and room not in parts[0]:
        parts.append(f"住户 {room}")
    return " · ".join(parts)


def rating(session: Session, ticket: Ticket) -> dict[str, str] | None:
    row = session.exec(select(Rating).where(Rating.ticket_id == ticket.id)).first()
    if row is None:
        return None
    return {
        "stars": STARS[: row.overall],
        "overall": f"{row.overall} 分",
        "detail": f"速度 {row.speed} 分 · 态度 {row.service} 分",
        "comment": row.comment,
        "at": local(row.created_at),
    }


def escalation(ticket: Ticket) -> str:
    """「已超时，督办到社区书记」 in words; "" when never escalated."""
    if ticket.escalation_level <= 0:
        return ""
    return f"已超时，督办到{LADDER.get(ticket.escalation_level, '上级')}"


def mediation(ticket: Ticket) -> list[dict[str, str]]:
    entries = []
    for entry in ticket.mediation_record:
        try:
            at = local(datetime.fromisoformat(str(entry.get("at", ""))))
        except ValueError:
            at = ""
        entries.append({"at": at, "by": str(entry.get("by", "")), "text": str(entry.get("text", ""))})
    return entries


def facts(session: Session, ticket: Ticket) -> Facts:
    photos = _links(ticket.photos)
    return Facts(
        reporter=reporter(session, ticket),
        location=location(session, ticket),
        photos=photos,
        resolution_photos=_links(ticket.resolution_photos),
        unseen_photos=len(ticket.photos) - len(photos),
        rating=rating(session, ticket),
        escalation=escalation(ticket),
        mediation=mediation(ticket),
        paused=local(ticket.paused_at) if ticket.paused_at else "",
        map_link=map_link(ticket),
        scanned=ticket.spot_id is not None,
    )


def handover_question(
    session: Session, *, ticket: Ticket, person: Person, verb: str, note: str = ""
) -> Question:
    """Before 派单/转单: who is told (the worker, and the reporting resident when on WeChat)."""
    told = [f"{person.name}：收到{verb}消息，请 TA 接单"]
    resident = session.get(Person, ticket.reporter_id)
    if pushable(resident):
        told.append(
            f"报告人 {reporter(session, ticket).name}（1 位居民）：收到「已派给{handler_label(person)}处理」"
        )
    else:
        told.append("报告人没有绑定微信，不会收到消息。")
    return Question(
        title=f"{verb} {ticket.code}",
        question=f"把 {ticket.code}（{ticket.place or '未注明地点'}，{ticket.category or ticket.description[:20]}）{verb}给 {person.name}？",
        button=f"确认{verb}",
        expected=fingerprint(f"ticket.{verb}", ticket.id, ticket.status, ticket.assignee_id, person.id, note),
        facts=[*told, *([f"说明：{note}"] if note else [])],
    )
