"""Verified residency: a claim on a flat stays a claim until someone who knows confirms it.

A resident who says 「我住2栋1单元402」 gets that home at once (repairs and complaints go there),
but only as a *claim* (业主, 家庭成员 or 租户). It becomes *verified* by the building head (楼栋长)
or an admin (in chat or the API, the decider recorded), by matching the owners' register the
office imports (name + phone + flat), or by the office's own community import. Voting, 爱心屋
redemptions and a flat's private facts need a verified residency; ``Person.is_owner`` is true
only for the verified owner of the person's home. A person may hold several (several flats).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, Session, SQLModel, col, select

from models.base import enum_field, utc_field
from models.community import Building, Room, room_label
from models.fanout import Target, enqueue_many
from models.outbox import enqueue
from models.people import Person, Role
from models.residents import Householder


class Relationship(StrEnum):
    owner = "owner"
    member = "member"  # 家庭成员
    tenant = "tenant"  # 租户


RELATIONSHIP_NAMES = {"owner": "业主", "member": "家庭成员", "tenant": "租户"}
RELATIONSHIP_BY_NAME = {
    "业主": "owner",
    "房主": "owner",
    "家庭成员": "member",
    "家属": "member",
    "家人": "member",
    "租户": "tenant",
    "租客": "tenant",
}


class ResidencyStatus(StrEnum):
    claimed = "claimed"
    verified = "verified"
    refused = "refused"
    ended = "ended"


OPEN = (ResidencyStatus.claimed, ResidencyStatus.verified)


class Residency(SQLModel, table=True):
    """One person's tie to one flat, from claim to verification (or refusal) and its end."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    room_id: int = Field(foreign_key="room.id", index=True)
    relationship: Relationship = enum_field(Relationship, Relationship.owner)
    status: ResidencyStatus = enum_field(ResidencyStatus, ResidencyStatus.claimed, index=True)
    via: str = ""  # how it was verified: approval | register | import
    verified_by: str = ""  # who, as people read it: 「楼栋长陈建国」「业主名册」
    verified_by_tag: str = ""  # the actor behind it (api tag, person:<id>, register, import)
    claimed_at: datetime = utc_field()
    verified_at: datetime | None = utc_field(nullable=True)
    ended_at: datetime | None = utc_field(nullable=True)
    note: str = ""  # why refused or ended

    @property
    def code(self) -> str:
        return f"B{self.id}"


class ResidencyError(ValueError):
    """A decision that cannot be taken; the message is a Chinese sentence for the decider."""


def open_residency(session: Session, *, person_id: int, room_id: int) -> Residency | None:
    query = select(Residency).where(
        Residency.person_id == person_id, Residency.room_id == room_id, col(Residency.status).in_(OPEN)
    )
    return session.exec(query.order_by(col(Residency.id).desc())).first()


def home_residency(session: Session, person: Person) -> Residency | None:
    """The claim or verification behind the person's home, if they have one."""
    if person.room_id is None or person.id is None:
        return None
    return open_residency(session, person_id=person.id, room_id=person.room_id)


def latest_residency(session: Session, person: Person) -> Residency | None:
    """The person's most recent claim, whatever became of it (ended ones aside)."""
    query = select(Residency).where(
        Residency.person_id == person.id, Residency.status != ResidencyStatus.ended
    )
    return session.exec(query.order_by(col(Residency.id).desc())).first()


def is_verified(session: Session, person: Person) -> bool:
    found = home_residency(session, person)
    return found is not None and found.status == ResidencyStatus.verified


def verified_owner_of(session: Session, room_id: int, *, besides: int | None = None) -> Person | None:
    """The verified owner of a room (another than ``besides``), if any."""
    query = (
        select(Person)
        .join(Residency, col(Residency.person_id) == Person.id)
        .where(
            Residency.room_id == room_id,
            Residency.status == ResidencyStatus.verified,
            Residency.relationship == Relationship.owner,
        )
    )
    return next((p for p in session.exec(query) if p.id != besides), None)


def verified_owner_rooms(session: Session, room_ids: list[int]) -> dict[int, int]:
    """room id → person id of its verified owner, for the rooms given."""
    query = select(Residency.room_id, Residency.person_id).where(
        col(Residency.room_id).in_(room_ids),
        Residency.status == ResidencyStatus.verified,
        Residency.relationship == Relationship.owner,
    )
    return {room_id: person_id for room_id, person_id in session.exec(query.order_by(col(Residency.id)))}


def owned_rooms(session: Session, person_id: int) -> set[int]:
    query = select(Residency.room_id).where(
        Residency.person_id == person_id,
        Residency.status == ResidencyStatus.verified,
        Residency.relationship == Relationship.owner,
    )
    return set(session.exec(query))


def room_of(session: Session, room_id: int) -> tuple[Building, Room, str]:
    room = session.get(Room, room_id)
    assert room is not None
    building = session.get(Building, room.building_id)
    assert building is not None
    return building, room, room_label(building, room)


def _end_others(session: Session, *, person: Person, keep_room: int, now: datetime, note: str) -> None:
    """A new home replaces the old one's claim (a verified second flat stays)."""
    query = select(Residency).where(Residency.person_id == person.id, col(Residency.status).in_(OPEN))
    for other in session.exec(query):
        if other.room_id != keep_room and (other.room_id == person.room_id or other.status != "verified"):
            other.status, other.ended_at, other.note = ResidencyStatus.ended, now, note
            session.add(other)


def claim(
    session: Session, *, person: Person, room_id: int, relationship: Relationship, now: datetime
) -> Residency:
    """Make the flat the person's home as a claim; the owners' register may verify it at once,
    else the building head (or the admins, where the building has none) is asked to."""
    _end_others(session, person=person, keep_room=room_id, now=now, note="重新绑定")
    person.room_id, person.is_owner = room_id, False
    session.add(person)
    residency = open_residency(session, person_id=person.id, room_id=room_id)  # type: ignore[arg-type]
    if residency is None:
        residency = Residency(person_id=person.id, room_id=room_id, relationship=relationship, claimed_at=now)  # type: ignore[arg-type]
        session.add(residency)
        session.flush()
    elif residency.status == ResidencyStatus.verified:
        _apply(session, residency, person)
        return residency
    else:
        residency.relationship = relationship  # said again, differently (「我是租户」)
        session.add(residency)
    if not match_register(session, residency, person=person, now=now, notify=False):
        ask_deciders(session, residency, person=person, now=now)
    return residency


def _apply(session: Session, residency: Residency, person: Person) -> None:
    """Keep ``Person.is_owner`` the verified ownership of the home."""
    if person.room_id == residency.room_id:
        person.is_owner = (
            residency.status == ResidencyStatus.verified and residency.relationship == Relationship.owner
        )
        session.add(person)
        session.flush()


def deciders(session: Session, building_id: int) -> list[Person]:
    """Who is asked to verify a claim in this building: its building heads, else the admins."""
    heads = session.exec(
        select(Person).where(
            Person.role == Role.building_head,
            Person.building_id == building_id,
            col(Person.erased_at).is_(None),
        )
    ).all()
    if heads:
        return list(heads)
    return list(session.exec(select(Person).where(Person.role == Role.admin).order_by(col(Person.id))))


def ask_deciders(
    session: Session, residency: Residency, *, person: Person, now: datetime, again: str = ""
) -> None:
    """Ask the building head (or the admins) to decide a claim, with what they need: the name and
    phone (or that none was left), the flat's verified owner, and earlier refusals of this claim.
    ``again``: a reason to ask once more (the name and phone given since)."""
    building, _, label = room_of(session, residency.room_id)
    refused = session.exec(
        select(Residency).where(
            Residency.person_id == person.id,
            Residency.room_id == residency.room_id,
            Residency.status == ResidencyStatus.refused,
        )
    )
    history = "".join(
        f"注意：此前 {r.code} 已被{r.verified_by}核实未通过（{r.note or '未写原因'}）。" for r in refused
    )
    if not (person.name and person.phone):
        history += "本人还没留姓名和电话，可请其回复「我叫…，电话…」，或当面核对后再决定。"
    owner = verified_owner_of(session, residency.room_id, besides=person.id)
    existing = (
        f"{owner.name or '（未留姓名）'}" + (f"，电话 {owner.phone}" if owner.phone else "")
        if owner
        else "无"
    )
    text = (
        f"【住户核实 {residency.code}】{person.name or '（未留姓名）'}，电话 {person.phone or '未留'}，"
        f"登记为 {label} 的{RELATIONSHIP_NAMES[residency.relationship]}；该房屋已核实的业主：{existing}。{history}"
        f"核实无误请回复「核实 {residency.code} 通过」，不对请回复「核实 {residency.code} 不通过 原因」。"
    )
    targets = [
        Target(f"residency:{residency.id}:ask{again}:{p.id}", person_id=p.id)
        for p in deciders(session, building.id)  # type: ignore[arg-type]
    ]
    enqueue_many(session, targets, kind="binding", text=text, now=now)


def _same_phone(a: str, b: str) -> bool:
    return bool(a) and a.replace(" ", "").replace("-", "") == b.replace(" ", "").replace("-", "")


def match_register(
    session: Session, residency: Residency, *, person: Person, now: datetime, notify: bool = True
) -> bool:
    """Verify a claim whose name, phone and flat are on the owners' register; True if it was
    (``notify``: push the news to the person, when they are not in the conversation)."""
    if residency.status != ResidencyStatus.claimed or not person.name or not person.phone:
        return False
    rows = session.exec(
        select(Householder).where(Householder.room_id == residency.room_id, Householder.name == person.name)
    ).all()
    row = next((r for r in rows if _same_phone(r.phone, person.phone)), None)
    if row is None:
        return False
    relationship = Relationship(row.relationship) if row.relationship else residency.relationship
    if not row.relationship and relationship == Relationship.owner:
        return False  # the register does not say who owns it: the building head decides
    if relationship == Relationship.owner and verified_owner_of(
        session, residency.room_id, besides=person.id
    ):
        return False
    residency.relationship = relationship
    mark_verified(
        session,
        residency,
        person=person,
        via="register",
        by="业主名册",
        tag="register",
        now=now,
        notify=notify,
    )
    return True


def verify_from_register(session: Session, *, now: datetime) -> int:
    """After a register import: verify every open claim it now matches; returns how many."""
    verified = 0
    for residency in session.exec(select(Residency).where(Residency.status == ResidencyStatus.claimed)).all():
        person = session.get(Person, residency.person_id)
        if person is not None and match_register(session, residency, person=person, now=now):
            verified += 1
    return verified


def mark_verified(
    session: Session,
    residency: Residency,
    *,
    person: Person,
    via: str,
    by: str,
    tag: str,
    now: datetime,
    notify: bool = True,
) -> None:
    residency.status, residency.via, residency.verified_at = ResidencyStatus.verified, via, now
    residency.verified_by, residency.verified_by_tag = by, tag
    session.add(residency)
    session.flush()
    _apply(session, residency, person)
    if not notify:
        return
    _, _, label = room_of(session, residency.room_id)
    who = "已与业主名册核对一致" if via == "register" else f"已由{by}核实"
    enqueue(
        session,
        idempotency_key=f"residency:{residency.id}:verified",
        person_id=person.id,
        kind="binding",
        text=f"您登记的 {label}（{RELATIONSHIP_NAMES[residency.relationship]}）{who}，"
        "现在可以参与投票和爱心屋兑换了。",
        now=now,
    )


def record_verified(
    session: Session,
    *,
    person: Person,
    room_id: int,
    relationship: Relationship,
    via: str,
    by: str,
    tag: str,
    now: datetime,
) -> Residency:
    """A residency the office itself vouches for (community import, the API): verified at once.
    The person's home becomes this flat unless they already have one."""
    residency = open_residency(session, person_id=person.id, room_id=room_id)  # type: ignore[arg-type]
    if residency is not None and residency.status == ResidencyStatus.verified:
        if residency.relationship != relationship:
            residency.relationship = relationship
            session.add(residency)
            _apply(session, residency, person)
        return residency
    if relationship == Relationship.owner and verified_owner_of(session, room_id, besides=person.id):
        raise ResidencyError("该房屋已有核实的业主：请按家庭成员或租户登记，或先解除原业主的绑定。")
    residency = residency or Residency(person_id=person.id, room_id=room_id, claimed_at=now)  # type: ignore[arg-type]
    residency.relationship = relationship
    residency.status, residency.via, residency.verified_at = ResidencyStatus.verified, via, now
    residency.verified_by, residency.verified_by_tag = by, tag
    session.add(residency)
    if person.room_id is None:
        person.room_id = room_id
    session.flush()
    _apply(session, residency, person)
    return residency


def unbind(session: Session, *, residency: Residency, by: str, now: datetime) -> None:
    """End a residency; the person's home goes with it when it was this flat."""
    person = session.get(Person, residency.person_id)
    residency.status, residency.ended_at, residency.note = ResidencyStatus.ended, now, f"解除绑定（{by}）"
    session.add(residency)
    if person is not None and person.room_id == residency.room_id:
        person.room_id, person.is_owner = None, False
        session.add(person)
    session.flush()
