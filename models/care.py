"""People who need care first (重点关爱对象): the register, and reaching them first.

An elder living alone, a person with a disability or a serious illness, a child in difficulty:
each entry names the flat they live in, a contact person (name, phone, and the WeChat user who
may be that contact), what they need, and the consent to keep them on the register (given by the
person or by a guardian, and when). They need not use WeChat themselves. Entries come from the
community's onboarding file (``[[care]]``) or the admin API; the natural key is (flat, name).

When a notice (an outage) or an emergency touches their building, :func:`reach_first` queues
their pushes (the person if they use WeChat, their contact) AHEAD of everyone else's: the rows
are written first and made due earlier (``HEAD_START``), and the delivery worker claims due rows
oldest-due first (``models.outbox.due``). The building's head (else its grid worker) gets a task
push to check on each of them. Erasing the person deletes their entry; erasing the contact
removes them as contact (``models.erasure``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint, delete, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import enum_field, utc_field
from models.community import Building, Community, Grid, Room, default_community, find_room, room_label
from models.fanout import Target, enqueue_many
from models.people import Person, person_by_openid
from models.workers import building_heads, grid_workers

HEAD_START = timedelta(hours=1)  # their rows are due this much earlier than anyone else's
MAX_NAME, MAX_PHONE, MAX_NEEDS = 40, 20, 200


class CareKind(StrEnum):
    elder_alone = "elder_alone"
    disability = "disability"
    illness = "illness"
    child = "child"


class ConsentBy(StrEnum):
    person = "person"  # the person themself
    guardian = "guardian"  # a guardian or family member on their behalf


KIND_LABEL = {
    CareKind.elder_alone: "独居老人",
    CareKind.disability: "残疾人",
    CareKind.illness: "重病患者",
    CareKind.child: "困境儿童",
}

TEXTS = {
    "notice_contact": "【关爱提醒】您照看的{name}（{flat}）所在楼栋有通知，请提醒并照看一下：\n{notice}",
    "notice_task": (
        "【关爱任务】{flat}的{name}（{kind}{needs}）受「{title}」影响，请上门或电话确认是否需要帮助"
        "（备水、代购等）。联系人：{contact}。"
    ),
    "alarm_person": "【紧急提醒】您所在的{building}报告了险情，请注意安全，工作人员会马上联系您。{shelter}",
    "alarm_contact": "【紧急提醒】您照看的{name}（{flat}）所在的{building}报告了险情，请马上联系确认安全。{shelter}",
    "alarm_task": (
        "【关爱任务·紧急】{building}险情 {code}：请马上确认{flat}的{name}（{kind}{needs}）是否安全，"
        "需要时协助撤离。联系人：{contact}。{shelter}"
    ),
    "shelter": "需要撤离时请到应急避难场所：{shelter}。",
}


class CareRecipient(SQLModel, table=True):
    __tablename__ = "care_recipient"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("room_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=MAX_NAME)
    room_id: int = Field(foreign_key="room.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)  # if on WeChat
    kind: CareKind = enum_field(CareKind, CareKind.elder_alone)
    needs: str = Field(default="", max_length=MAX_NEEDS)
    contact_name: str = Field(default="", max_length=MAX_NAME)
    contact_phone: str = Field(default="", max_length=MAX_PHONE)
    contact_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    consent_by: ConsentBy = enum_field(ConsentBy, ConsentBy.person)
    consent_name: str = Field(default="", max_length=MAX_NAME)  # who said yes
    consented_at: datetime = utc_field()
    created_at: datetime = utc_field()


class CareError(ValueError):
    """An entry that cannot be registered as given; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def register(
    session: Session,
    *,
    name: str,
    flat: tuple[str, str, str],
    kind: str,
    contact_name: str,
    contact_phone: str,
    consent_by: str,
    consented_at: datetime,
    now: datetime,
    needs: str = "",
    consent_name: str = "",
    openid: str = "",
    contact_openid: str = "",
) -> tuple[CareRecipient, bool]:
    """Add or update the entry for ``name`` in ``flat`` (building, unit, room); True if new.

    Nobody is registered without a contact to reach and a recorded consent."""
    name, contact_name, contact_phone = name.strip(), contact_name.strip(), contact_phone.strip()
    checks = (
        ("name", 1 <= len(name) <= MAX_NAME, f"name must be 1 to {MAX_NAME} characters"),
        ("kind", kind in CareKind.__members__, f"kind must be one of {', '.join(CareKind)}"),
        ("contact_name", 1 <= len(contact_name) <= MAX_NAME, "a contact person's name is required"),
        ("contact_phone", 5 <= len(contact_phone) <= MAX_PHONE, "the contact's phone is required"),
        ("needs", len(needs) <= MAX_NEEDS, f"needs must be at most {MAX_NEEDS} characters"),
        ("consent_by", consent_by in ConsentBy.__members__, "consent_by must be person or guardian"),
        ("consent_name", len(consent_name.strip()) <= MAX_NAME, "consent_name is too long"),
        ("consented_at", consented_at.tzinfo is not None, "consented_at needs a UTC offset"),
    )
    for field, ok, message in checks:
        if not ok:
            raise CareError(field, message)
    if consented_at > now + timedelta(minutes=1):
        raise CareError("consented_at", "consented_at is in the future")
    if consent_by == ConsentBy.guardian and not consent_name.strip():
        raise CareError("consent_name", "name the guardian who consented")
    found = find_room(session, building=flat[0], unit=flat[1], room=flat[2])
    if found is None:
        raise CareError("flat", f"no flat {'-'.join(p for p in flat if p)} in the community")
    person = _person(session, openid, "openid")
    contact = _person(session, contact_openid, "contact_openid")
    room_id = found[1].id
    entry = session.exec(
        select(CareRecipient).where(CareRecipient.room_id == room_id, CareRecipient.name == name)
    ).first()
    created = entry is None
    entry = entry or CareRecipient(name=name, room_id=room_id, created_at=now, consented_at=consented_at)  # type: ignore[arg-type]
    entry.kind = CareKind(kind)
    entry.needs = needs.strip()
    entry.person_id = person.id if person else None
    entry.contact_name, entry.contact_phone = contact_name, contact_phone
    entry.contact_person_id = contact.id if contact else None
    entry.consent_by = ConsentBy(consent_by)
    entry.consent_name = consent_name.strip() or (name if consent_by == ConsentBy.person else "")
    entry.consented_at = consented_at
    session.add(entry)
    session.flush()
    return entry, created


def _person(session: Session, openid: str, field: str) -> Person | None:
    if not openid.strip():
        return None
    person = person_by_openid(session, openid.strip())
    if person is None or person.erased_at is not None:
        raise CareError(field, f"no person with openid {openid.strip()}")
    return person


def withdraw(session: Session, *, care_id: int) -> bool:
    """Take an entry off the register (consent withdrawn, moved away); False if there was none."""
    result = session.execute(delete(CareRecipient).where(col(CareRecipient.id) == care_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def forget_person(session: Session, *, person_id: int) -> int:
    """Erasure: their own entries go; where they are someone's contact, they are no longer it."""
    gone = session.execute(delete(CareRecipient).where(col(CareRecipient.person_id) == person_id))
    session.execute(
        update(CareRecipient)
        .where(col(CareRecipient.contact_person_id) == person_id)
        .values(contact_person_id=None, contact_name="（联系人已注销）", contact_phone="")
    )
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]


def flat_of(session: Session, entry: CareRecipient) -> tuple[Building, Room]:
    room = session.get(Room, entry.room_id)
    assert room is not None
    building = session.get(Building, room.building_id)
    assert building is not None
    return building, room


def public(session: Session, entry: CareRecipient) -> dict[str, Any]:
    """The entry as the office sees it (the API's answer, and the person's own data export)."""
    building, room = flat_of(session, entry)
    person = session.get(Person, entry.person_id) if entry.person_id else None
    contact = session.get(Person, entry.contact_person_id) if entry.contact_person_id else None
    return {
        "id": entry.id,
        "name": entry.name,
        "flat": room_label(building, room),
        "kind": entry.kind.value,
        "kind_label": KIND_LABEL[entry.kind],
        "needs": entry.needs,
        "openid": person.openid if person else None,
        "contact": {
            "name": entry.contact_name,
            "phone": entry.contact_phone,
            "openid": contact.openid if contact else None,
        },
        "consent": {
            "by": entry.consent_by.value,
            "name": entry.consent_name,
            "at": entry.consented_at.isoformat(),
        },
    }


def in_buildings(session: Session, building_ids: list[int] | None) -> list[CareRecipient]:
    """The entries of people living in those buildings (None: in any)."""
    query = select(CareRecipient).join(Room, col(Room.id) == CareRecipient.room_id)
    if building_ids is not None:
        query = query.where(col(Room.building_id).in_(building_ids))
    return list(session.exec(query.order_by(col(CareRecipient.id))))


def shelter_of(session: Session, building_id: int | None) -> str:
    """The community's 应急避难场所 as a sentence, or "" when none is configured."""
    building = session.get(Building, building_id) if building_id is not None else None
    community = session.get(Community, building.community_id) if building else default_community(session)
    shelter = community.shelter if community is not None else ""
    return TEXTS["shelter"].format(shelter=shelter) if shelter else ""


def checkers(session: Session, building_id: int) -> list[Person]:
    """Who checks on them: the building's head(s), else its grid worker."""
    return building_heads(session, building_id=building_id) or grid_workers(session, building_id=building_id)


@dataclass(frozen=True)
class CareWords:
    """What to push, per recipient: ``person`` ("" for no push), ``contact``, ``task``; each may use
    {name} {flat} {building} {kind} {needs} {contact} {shelter}, then the caller's ``extra`` (what
    was announced or reported, filled last). ``person_key`` overrides the key of the person's push
    (a notice uses the key of the resident's own notice push, so it goes once)."""

    person: str
    contact: str
    task: str
    person_key: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    def fill(self, template: str, facts: dict[str, str]) -> str:
        for name, value in (*facts.items(), *self.extra):
            template = template.replace("{" + name + "}", value)
        return template


def reach_first(
    session: Session,
    *,
    building_ids: list[int] | None,
    key: str,
    kind: str,
    words: CareWords,
    now: datetime,
    only: Any = None,
    besides: int | None = None,
) -> list[CareRecipient]:
    """Queue, ahead of everyone else, the pushes to each registered person in those buildings (None:
    any) and to their contact, and a task to each building's checker; ``only(building, room)``
    filters further; ``besides`` is a person not to push to (who reported it). Returns the entries
    reached."""
    reached: list[CareRecipient] = []
    first: list[tuple[Target, str]] = []
    tasks: list[tuple[Target, str]] = []
    for entry in in_buildings(session, building_ids):
        building, room = flat_of(session, entry)
        if only is not None and not only(building, room):
            continue
        reached.append(entry)
        facts = {
            "name": entry.name,
            "flat": room_label(building, room),
            "building": building.label,
            "kind": KIND_LABEL[entry.kind],
            "needs": f"，{entry.needs}" if entry.needs else "",
            "contact": f"{entry.contact_name} {entry.contact_phone}".strip(),
            "shelter": shelter_of(session, building.id),
        }
        stem = f"{key}:care:{entry.id}"
        person = session.get(Person, entry.person_id) if entry.person_id else None
        if words.person and person is not None and person.subscribed and person.id != besides:
            person_key = words.person_key + str(person.id) if words.person_key else f"{stem}:person"
            first.append((Target(person_key, person_id=person.id), words.fill(words.person, facts)))
        if entry.contact_person_id is not None:
            target = Target(f"{stem}:contact", person_id=entry.contact_person_id)
            first.append((target, words.fill(words.contact, facts)))
        for checker in checkers(session, building.id):  # type: ignore[arg-type]
            tasks.append(
                (Target(f"{stem}:check:{checker.id}", person_id=checker.id), words.fill(words.task, facts))
            )
    for target, text in [*first, *tasks]:
        enqueue_many(session, [target], kind=kind, text=text, now=now, due_at=now - HEAD_START)
    return reached


def grid_name(session: Session, building: Building) -> str | None:
    grid = session.get(Grid, building.grid_id) if building.grid_id is not None else None
    return grid.name if grid else None
