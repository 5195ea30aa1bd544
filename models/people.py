"""People and their homes: residents, building heads, grid workers, staff, secretaries, admins.

Binding (绑定) links a WeChat user to a room. A room that matches and has no bound owner binds
at once; anything else becomes a request an admin approves or rejects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, bindparam, exists, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import enum_field, json_field, per_transaction, read, utc_field
from models.community import Building, Room, address_label, room_label, rooms_at_address
from models.fanout import Target, enqueue_many
from models.outbox import enqueue


class Role(StrEnum):
    resident = "resident"
    building_head = "building_head"
    grid_worker = "grid_worker"
    staff = "staff"
    secretary = "secretary"
    admin = "admin"


class Person(SQLModel, table=True):
    # At most one owner per room, kept by the database (two newcomers claiming one vacant room on
    # two processes both became owner when this was a read-then-write).
    __table_args__ = (
        Index(
            "ux_person_one_owner_per_room",
            "room_id",
            unique=True,
            sqlite_where=text("is_owner"),
            postgresql_where=text("is_owner"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    openid: str | None = Field(default=None, unique=True, max_length=64)
    wecom_userid: str | None = Field(default=None, unique=True, max_length=64)
    name: str = ""
    role: Role = enum_field(Role, Role.resident, index=True)
    phone: str = ""
    room_id: int | None = Field(default=None, foreign_key="room.id", index=True)
    is_owner: bool = False  # 业主 of room_id (votes); household members and tenants are not
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    skills: list[str] = json_field(list)
    subscribed: bool = True
    created_at: datetime = utc_field()
    last_seen_at: datetime | None = utc_field(nullable=True)
    # Set when the person had their personal data erased: the row stays only as an anonymous
    # tombstone that the community's records (tickets, ballots, points) still point at.
    erased_at: datetime | None = utc_field(nullable=True)

    @property
    def salutation(self) -> str:
        """How the bot greets them: 「王秀兰您好」, or just 「您好」 when we do not know their name."""
        return f"{self.name}您好" if self.name else "您好"


ERASED_LABEL = "已注销居民"  # how an erased person is shown wherever a name would be


class BindingStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class BindingRequest(SQLModel, table=True):
    __tablename__ = "binding_request"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    building: str
    unit: str = ""
    room: str
    room_id: int | None = Field(default=None, foreign_key="room.id")
    reason: str  # no_such_room | owner_exists
    status: BindingStatus = enum_field(BindingStatus, BindingStatus.pending, index=True)
    created_at: datetime = utc_field()
    decided_at: datetime | None = utc_field(nullable=True)
    decided_by: str = ""
    note: str = ""


@dataclass(frozen=True)
class BindingResult:
    outcome: str  # bound | already_bound | requested | already_requested
    label: str
    request_id: int | None = None
    reason: str = ""


_BY_OPENID = select(Person).where(Person.openid == bindparam("openid"))
_BY_OPENIDS = select(Person).where(col(Person.openid).in_(bindparam("openids", expanding=True)))


def person_by_openid(session: Session, openid: str) -> Person | None:
    return session.exec(_BY_OPENID, params={"openid": openid}).first()


def people_by_openid(session: Session, openids: list[str]) -> dict[str, Person]:
    """Several people at once, by openid (those not yet known are missing)."""
    found = session.exec(_BY_OPENIDS, params={"openids": openids}).all()
    return {person.openid: person for person in found if person.openid}


def person_by_wecom(session: Session, userid: str) -> Person | None:
    return session.exec(select(Person).where(Person.wecom_userid == userid)).first()


def get_or_create_residents(session: Session, *, openids: list[str], now: datetime) -> dict[str, Person]:
    """Several people by openid, registering those seen for the first time with one flush."""
    people = people_by_openid(session, openids)
    new = [
        Person(openid=openid, role=Role.resident, created_at=now, last_seen_at=now)
        for openid in dict.fromkeys(openids)
        if openid not in people
    ]
    if new:
        session.add_all(new)
        session.flush()
        people.update({person.openid: person for person in new if person.openid})
    return people


def get_or_create_resident(session: Session, *, openid: str, now: datetime) -> Person:
    person = person_by_openid(session, openid)
    if person is None:
        person = Person(openid=openid, role=Role.resident, created_at=now)
        session.add(person)
        session.flush()
    return person


def home_of(session: Session, person: Person) -> tuple[Building, Room] | None:
    if person.room_id is None:
        return None
    room = session.get(Room, person.room_id)
    if room is None:
        return None
    building = session.get(Building, room.building_id)
    assert building is not None
    return building, room


def home_label(session: Session, person: Person) -> str:
    home = home_of(session, person)
    return room_label(*home) if home else ""


def describe(session: Session, person: Person) -> str:
    """Who this is, for a message to staff: 「王秀兰（3栋2单元502，电话 138…）」."""
    if person.erased_at is not None:
        return ERASED_LABEL
    home = home_label(session, person)
    details = "，".join(part for part in (home, f"电话 {person.phone}" if person.phone else "") if part)
    if person.name:
        return f"{person.name}（{details}）" if details else person.name
    if home:
        return f"{home}的居民" + (f"（电话 {person.phone}）" if person.phone else "")
    return "一位未绑定房屋的居民" + (f"（电话 {person.phone}）" if person.phone else "")


# On the path of every address a resident sends: built once, and plain rows rather than objects.
_ROOM_COLUMNS = (
    Room.id,
    Building.number,
    Room.unit,
    Room.room,
    exists().where(Person.room_id == Room.id, col(Person.is_owner).is_(True)).label("has_owner"),
)
_ROOM_WITH_OWNER = rooms_at_address(*_ROOM_COLUMNS, in_unit=False)
_ROOM_IN_UNIT_WITH_OWNER = rooms_at_address(*_ROOM_COLUMNS, in_unit=True)
_PENDING_REQUEST = select(
    BindingRequest.id,
    BindingRequest.building,
    BindingRequest.unit,
    BindingRequest.room,
    BindingRequest.reason,
).where(BindingRequest.person_id == bindparam("person_id"), BindingRequest.status == BindingStatus.pending)
_NEW_REQUEST = insert(BindingRequest).returning(BindingRequest.id)  # type: ignore[arg-type]
_ADMIN_IDS = select(Person.id).where(Person.role == Role.admin).order_by(col(Person.id))


def _claim_owner(session: Session, *, person: Person, room_id: int) -> bool:
    """Make ``person`` the owner of the room unless someone became it meanwhile (the unique index
    decides, in a savepoint, so the rest of the transaction goes on either way)."""
    before = (person.room_id, person.is_owner)
    try:
        with session.begin_nested():
            person.room_id, person.is_owner = room_id, True
            session.add(person)
            session.flush()
    except IntegrityError:
        person.room_id, person.is_owner = before
        return False
    return True


def bind_room(
    session: Session, *, person: Person, building: str, unit: str, room: str, now: datetime
) -> BindingResult:
    """Bind ``person`` to the room, or file a request for an admin when that cannot be automatic.

    As with ``find_room``, the unit may be left out when the building and room number are enough.
    """
    params = {"building": building.upper(), "unit": unit, "room": room}
    matches = read(session, _ROOM_IN_UNIT_WITH_OWNER if unit else _ROOM_WITH_OWNER, params).all()
    if len(matches) == 1:
        room_id, number, room_unit, room_number, has_owner = matches[0]
        label = address_label(number, room_unit, room_number)
        if person.room_id == room_id:
            return BindingResult("already_bound", label)
        if not has_owner and _claim_owner(session, person=person, room_id=room_id):
            return BindingResult("bound", label)
        reason = "owner_exists"
    else:
        reason, room_id, label = "no_such_room", None, address_label(building, unit, room)
    pending = read(session, _PENDING_REQUEST, {"person_id": person.id}).first()
    if pending is not None and (pending.building, pending.unit, pending.room) == (building, unit, room):
        return BindingResult("already_requested", label, pending.id, pending.reason)
    # A plain INSERT … RETURNING: the id for the admins' message, without a flush of the session.
    request_id = (
        session.connection()
        .execute(
            _NEW_REQUEST,
            {
                "person_id": person.id,
                "building": building,
                "unit": unit,
                "room": room,
                "room_id": room_id,
                "reason": reason,
                "status": BindingStatus.pending,
                "created_at": now,
                "decided_at": None,
                "decided_by": "",
                "note": "",
            },
        )
        .scalar_one()
    )
    _tell_admins(session, request_id=request_id, reason=reason, person=person, label=label, now=now)
    return BindingResult("requested", label, request_id, reason)


def _tell_admins(
    session: Session, *, request_id: int, reason: str, person: Person, label: str, now: datetime
) -> None:
    why = "该房屋已有业主绑定" if reason == "owner_exists" else "房屋信息里没有这个房号"
    who = person.name or ("微信用户" + (f"（电话 {person.phone}）" if person.phone else ""))
    text = f"新的房屋绑定申请 #{request_id}：{who} 申请绑定 {label}（{why}），请审核。"
    admins = per_transaction(session, "admin_ids", lambda: list(read(session, _ADMIN_IDS).scalars()))
    # The keys name a request inserted just now: they cannot exist yet, so no lookup is needed.
    targets = [Target(f"binding-request:{request_id}:admin:{admin}", person_id=admin) for admin in admins]
    enqueue_many(session, targets, kind="binding", text=text, now=now, keys_are_new=True)


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
    """Approve (binding the person as a household member, or owner if the room has none) or reject."""
    request = session.get(BindingRequest, request_id)
    if request is None:
        raise LookupError(f"binding request {request_id} not found")
    if request.status != BindingStatus.pending:
        raise ValueError(f"binding request {request_id} is already {request.status}")
    person = session.get(Person, request.person_id)
    assert person is not None
    target_room_id = room_id or request.room_id
    if approve:
        if target_room_id is None:
            raise ValueError("this request names a room that does not exist: choose room_id")
        room = session.get(Room, target_room_id)
        if room is None:
            raise LookupError(f"room {target_room_id} not found")
        building = session.get(Building, room.building_id)
        assert building is not None
        has_owner = session.exec(
            select(Person).where(Person.room_id == room.id, col(Person.is_owner).is_(True))
        ).first()
        person.room_id, person.is_owner = room.id, has_owner is None
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


def change_phone(session: Session, *, person: Person, phone: str) -> str:
    """Record a person's new contact number; returns the old one ("" when there was none)."""
    old, person.phone = person.phone, phone[:20]
    session.add(person)
    return old
