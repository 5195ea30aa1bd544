"""People and their homes: residents, building heads, grid workers, staff, secretaries, admins.

Binding (绑定) links a WeChat user to a room: ``models.binding`` (the chat flow and the admins'
requests) and ``models.residency`` (a claim until verified).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, bindparam, text, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import enum_field, json_field, per_transaction, utc_field
from models.community import Building, Room, room_label


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


_PERSON = Person.__table__  # type: ignore[attr-defined]
_TOUCH = (
    update(_PERSON)
    .where(_PERSON.c.id == bindparam("person_id"), _PERSON.c.erased_at.is_(None))
    .values(last_seen_at=bindparam("seen"))
)


def seen_later(session: Session, person: Person, now: datetime) -> None:
    """``person.last_seen_at = now``, written by ``save_last_seen`` for all of a batch's senders
    in one statement instead of one UPDATE each (the attribute reads ``now`` meanwhile)."""
    set_committed_value(person, "last_seen_at", now)
    per_transaction(session, "last_seen", dict)[person.id] = now


def save_last_seen(session: Session) -> None:
    """Write the times ``seen_later`` kept (not over an erasure made meanwhile)."""
    seen = per_transaction(session, "last_seen", dict)
    if seen:
        session.flush()  # an erasure earlier in the batch is written first, and kept
        session.connection().execute(_TOUCH, [{"person_id": pid, "seen": at} for pid, at in seen.items()])
        seen.clear()


def get_or_create_resident(session: Session, *, openid: str, now: datetime) -> Person:
    person = person_by_openid(session, openid)
    if person is None:
        person = Person(openid=openid, role=Role.resident, created_at=now)
        session.add(person)
        session.flush()
    return person


_HOMES = select(Building, Room).join(Room, col(Room.building_id) == Building.id)


def load_homes(session: Session, people: Iterable[Person]) -> None:
    """Read the homes of ``people`` in one statement, for ``home_of`` in this transaction (the
    pipeline does this for a batch: nearly every message asks for its sender's home)."""
    homes = per_transaction(session, "homes", dict)
    wanted = sorted({p.room_id for p in people if p.room_id is not None and p.room_id not in homes})
    if wanted:
        for building, room in session.exec(_HOMES.where(col(Room.id).in_(wanted))):
            homes[room.id] = (building, room)


def home_of(session: Session, person: Person) -> tuple[Building, Room] | None:
    if person.room_id is None:
        return None
    homes = per_transaction(session, "homes", dict)
    if person.room_id in homes:
        return homes[person.room_id]
    room = session.get(Room, person.room_id)
    if room is None:
        return None
    building = session.get(Building, room.building_id)
    assert building is not None
    # The session's identity map holds rows only weakly: kept here for the transaction, a home
    # asked for again (the form, the ticket, each push that describes the reporter) is not re-read.
    homes[room.id] = (building, room)
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


def pushable(person: Person | None) -> bool:
    """False for a resident known only by phone (a report taken by phone): nothing to push to.

    An erased person stays pushable: the outbox refuses the push and records why."""
    if person is None or person.role != Role.resident or person.erased_at is not None:
        return True
    return bool(person.openid or person.wecom_userid)


def change_phone(session: Session, *, person: Person, phone: str) -> str:
    """Record a person's new contact number; returns the old one ("" when there was none)."""
    old, person.phone = person.phone, phone[:20]
    session.add(person)
    return old
