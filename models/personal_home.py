"""A person's own data, part one: who they are and where they live (profile, recorded rooms,
the office's register lines with their phone, binding requests, residencies). See
``models.personal_data`` for the whole export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.community import Building, Room, room_label
from models.ownership import RoomOwner
from models.people import BindingRequest, Person, home_label
from models.residency import RELATIONSHIP_NAMES, Residency, room_of
from models.residents import Householder

ROLE_NAMES = {
    "resident": "居民",
    "building_head": "楼长",
    "grid_worker": "网格员",
    "staff": "物业工作人员",
    "secretary": "社区书记",
    "admin": "社区管理员",
}
BINDINGS = {"pending": "审核中", "approved": "已通过", "rejected": "未通过"}


def iso(moment: datetime | None) -> str | None:
    """A time as the export writes it (ISO 8601), or None."""
    return moment.isoformat() if moment is not None else None


def profile(session: Session, person: Person) -> dict[str, Any]:
    return {
        "openid": person.openid,
        "wecom_userid": person.wecom_userid,
        "name": person.name,
        "phone": person.phone,
        "role": ROLE_NAMES.get(person.role.value, person.role.value),
        "home": home_label(session, person),
        "is_owner": person.is_owner,
        "subscribed": person.subscribed,
        "registered_at": iso(person.created_at),
        "last_seen_at": iso(person.last_seen_at),
    }


def recorded_rooms(session: Session, person: Person) -> list[str]:
    """Rooms recorded as theirs for votes (beside the home they are bound to)."""
    rows = session.exec(
        select(Building, Room)
        .join(Room, col(Room.building_id) == Building.id)
        .join(RoomOwner, col(RoomOwner.room_id) == Room.id)
        .where(RoomOwner.person_id == person.id)
    )
    return [room_label(building, room) for building, room in rows]


def roster(session: Session, person: Person) -> list[dict[str, Any]]:
    """The office's householder register lines that carry their phone number."""
    if not person.phone:
        return []
    rows = session.exec(
        select(Householder, Room, Building)
        .join(Room, col(Room.id) == Householder.room_id)
        .join(Building, col(Building.id) == Room.building_id)
        .where(Householder.phone == person.phone)
    )
    return [{"room": room_label(b, r), "name": h.name, "phone": h.phone} for h, r, b in rows]


def binding_requests(session: Session, person: Person) -> list[dict[str, Any]]:
    requests = session.exec(select(BindingRequest).where(BindingRequest.person_id == person.id))
    return [
        {
            "id": r.id,
            "address": f"{r.building}-{r.unit}-{r.room}" if r.unit else f"{r.building}-{r.room}",
            "reason": r.reason,
            "status": BINDINGS.get(r.status.value, r.status.value),
            "created_at": iso(r.created_at),
            "decided_at": iso(r.decided_at),
            "note": r.note,
        }
        for r in requests
    ]


def residencies(session: Session, person: Person) -> list[dict[str, Any]]:
    """Their claims on flats and how each was verified (or refused, or ended)."""
    found = session.exec(
        select(Residency).where(Residency.person_id == person.id).order_by(col(Residency.id))
    )
    return [
        {
            "code": r.code,
            "room": room_of(session, r.room_id)[2],
            "relationship": RELATIONSHIP_NAMES[r.relationship],
            "status": r.status.value,
            "verified_by": r.verified_by,
            "claimed_at": iso(r.claimed_at),
            "verified_at": iso(r.verified_at),
            "ended_at": iso(r.ended_at),
            "note": r.note,
        }
        for r in found
    ]
