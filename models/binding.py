"""Binding in chat (房屋绑定): a known flat becomes a claim to verify; an unknown one a request
for an admin, who picks the flat (``decide_binding``); unbinding (解除绑定)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert
from sqlmodel import Session, col, select

from models.base import per_transaction, read
from models.community import Building, Room, address_label, find_room, room_label, rooms_at_address
from models.fanout import Target, enqueue_many
from models.outbox import enqueue
from models.people import BindingRequest, BindingResult, BindingStatus, Person, Role
from models.residency import (
    Relationship,
    ResidencyStatus,
    claim,
    home_residency,
    record_verified,
    unbind,
    verified_owner_of,
)

_ROOM_COLUMNS = (Room.id, Building.number, Room.unit, Room.room)
_ROOM = rooms_at_address(*_ROOM_COLUMNS, in_unit=False)
_ROOM_IN_UNIT = rooms_at_address(*_ROOM_COLUMNS, in_unit=True)
_PENDING_REQUEST = select(
    BindingRequest.id,
    BindingRequest.building,
    BindingRequest.unit,
    BindingRequest.room,
    BindingRequest.reason,
).where(BindingRequest.person_id == bindparam("person_id"), BindingRequest.status == BindingStatus.pending)
_NEW_REQUEST = insert(BindingRequest).returning(BindingRequest.id)  # type: ignore[arg-type]
_ADMIN_IDS = select(Person.id).where(Person.role == Role.admin).order_by(col(Person.id))


def bind_room(
    session: Session,
    *,
    person: Person,
    building: str,
    unit: str,
    room: str,
    now: datetime,
    relationship: Relationship | None = None,
) -> BindingResult:
    """Claim the flat as the person's home (verified at once if the owners' register says so),
    or file a request for an admin when no such flat is on file.

    Outcomes: ``verified`` | ``claimed`` | ``already_bound`` | ``already_claimed`` | ``requested`` |
    ``already_requested``. The unit may be left out when the building and room number are enough.
    """
    params = {"building": building.upper(), "unit": unit, "room": room}
    matches = read(session, _ROOM_IN_UNIT if unit else _ROOM, params).all()
    if len(matches) == 1:
        room_id, number, room_unit, room_number = matches[0]
        label = address_label(number, room_unit, room_number)
        current = home_residency(session, person) if person.room_id == room_id else None
        if current is not None and current.status == ResidencyStatus.verified:
            return BindingResult("already_bound", label, current.id)  # a change of relationship: the office
        if current is not None and relationship in (None, current.relationship):
            return BindingResult("already_claimed", label, current.id)
        if relationship is None:
            owner = verified_owner_of(session, room_id, besides=person.id)
            relationship = Relationship.member if owner else Relationship.owner
        residency = claim(session, person=person, room_id=room_id, relationship=relationship, now=now)
        outcome = "verified" if residency.status == ResidencyStatus.verified else "claimed"
        return BindingResult(outcome, label, residency.id, residency.relationship.value)
    label = address_label(building, unit, room)
    pending = read(session, _PENDING_REQUEST, {"person_id": person.id}).first()
    if pending is not None and (pending.building, pending.unit, pending.room) == (building, unit, room):
        return BindingResult("already_requested", label, pending.id, pending.reason)
    request_id = (
        session.connection()
        .execute(
            _NEW_REQUEST,
            {
                "person_id": person.id,
                "building": building,
                "unit": unit,
                "room": room,
                "room_id": None,
                "reason": "no_such_room",
                "status": BindingStatus.pending,
                "created_at": now,
                "decided_at": None,
                "decided_by": "",
                "note": "",
            },
        )
        .scalar_one()
    )
    _tell_admins(session, request_id=request_id, person=person, label=label, now=now)
    return BindingResult("requested", label, request_id, "no_such_room")


def _tell_admins(session: Session, *, request_id: int, person: Person, label: str, now: datetime) -> None:
    who = person.name or ("微信用户" + (f"（电话 {person.phone}）" if person.phone else ""))
    text = f"新的房屋绑定申请 #{request_id}：{who} 申请绑定 {label}（房屋信息里没有这个房号），请审核。"
    admins = per_transaction(session, "admin_ids", lambda: list(read(session, _ADMIN_IDS).scalars()))
    # The keys name a request inserted just now: they cannot exist yet, so no lookup is needed.
    targets = [Target(f"binding-request:{request_id}:admin:{admin}", person_id=admin) for admin in admins]
    enqueue_many(session, targets, kind="binding", text=text, now=now, keys_are_new=True)


class RoomNeeded(ValueError):
    """Approving needs a flat on file: the one asked for is not (the API may name another)."""


def decide_binding(
    session: Session,
    *,
    request_id: int,
    approve: bool,
    decided_by: str,
    now: datetime,
    room_id: int | None = None,
    note: str = "",
) -> BindingRequest:
    """Approve (the admin has checked the person: a verified residency, as owner if the flat has
    no verified owner, else as a household member) or reject a request."""
    request = session.get(BindingRequest, request_id)
    if request is None:
        raise LookupError(f"没有绑定申请 #{request_id}。")
    if request.status != BindingStatus.pending:
        done = "已通过" if request.status == BindingStatus.approved else "已驳回"
        raise ValueError(f"申请 #{request_id} 已经处理过了（{done}）。")
    person = session.get(Person, request.person_id)
    assert person is not None
    target_room_id = room_id or request.room_id
    if approve and target_room_id is None:  # the flat may have been registered since
        found = find_room(session, building=request.building, unit=request.unit, room=request.room)
        target_room_id = found[1].id if found else None
    if approve:
        if target_room_id is None:
            label = address_label(request.building, request.unit, request.room)
            raise RoomNeeded(f"房屋信息里还没有 {label}：请先导入这套房再通过，或驳回。")
        room = session.get(Room, target_room_id)
        if room is None:
            raise LookupError(f"没有编号为 {target_room_id} 的房屋。")
        building = session.get(Building, room.building_id)
        assert building is not None
        owner = verified_owner_of(session, room.id, besides=person.id)  # type: ignore[arg-type]
        current = home_residency(session, person)
        if current is not None and current.room_id != room.id:
            unbind(session, residency=current, by=decided_by, now=now)
        person.room_id = room.id
        record_verified(
            session,
            person=person,
            room_id=room.id,  # type: ignore[arg-type]
            relationship=Relationship.member if owner else Relationship.owner,
            via="approval",
            by="管理员",
            tag=decided_by,
            now=now,
        )
        text = f"您的房屋绑定申请已通过：{room_label(building, room)}。"
    else:
        text = "您的房屋绑定申请未通过" + (f"：{note}" if note else "。") + "如有疑问请联系物业。"
    request.status = BindingStatus.approved if approve else BindingStatus.rejected
    request.decided_at, request.decided_by, request.note = now, decided_by, note
    session.add_all([request, person])
    enqueue(
        session,
        idempotency_key=f"binding-decision:{request.id}",
        person_id=person.id,
        kind="binding",
        text=text,
        now=now,
    )
    return request
