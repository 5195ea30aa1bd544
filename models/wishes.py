"""微心愿: a resident's small wish, fulfilled by a party member of their 责任区.

pending (待审核) → published (待认领) | declined (未通过); published → claimed (已认领, exactly one
member) → fulfilled (待确认) → confirmed (已完成, points to the member once); a resident's
「还没有」 sends a fulfilled wish back to claimed. Every move is one compare-and-set
(``UPDATE wish ... WHERE id=? AND status=?``, rowcount checked) and its pushes go into the outbox
in the same transaction: ten members claiming at once → one wins, nine are told who has it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import by_id, enum_field, utc_field
from models.community import Building, default_community
from models.fanout import Target, enqueue_many, push_once
from models.party import DutyArea, PartyMember, covers, members_covering, membership
from models.people import Person, Role, home_of, pushable
from models.points import PointSource, credit


class WishStatus(StrEnum):
    pending = "pending"
    declined = "declined"
    published = "published"
    claimed = "claimed"
    fulfilled = "fulfilled"
    confirmed = "confirmed"


STATUS_NAMES = {
    WishStatus.pending: "待审核",
    WishStatus.declined: "未通过",
    WishStatus.published: "待认领",
    WishStatus.claimed: "已认领",
    WishStatus.fulfilled: "待确认",
    WishStatus.confirmed: "已完成",
}
MAX_TEXT = 200

TEXTS = {
    "to_office": "【微心愿待审核】{code}：{who}：{text}\n回复「通过心愿 {code}」发布给责任区党员，或「不通过 {code} 原因」。",
    "to_members": "【微心愿】{code}：{place}{name}想请人帮忙：{text}\n回复「认领心愿 {code}」认领，先到先得。",
    "published": "您的微心愿 {code} 已经发布，有党员认领后会告诉您。",
    "declined": "您的微心愿 {code} 这次没能发布：{reason}。有困难可以打社区电话{hotline}。",
    "claimed": "党员{member}认领了您的微心愿 {code}，会尽快和您联系。",
    "fulfilled": "党员{member}说您的微心愿 {code} 已经完成了{note}。收到了请回复「收到了」，还没有请回复「还没有」。",
    "confirmed": "{resident}确认收到了微心愿 {code}，为您记 {points} 积分。谢谢您！",
    "not_yet": "{resident}说微心愿 {code} 还没完成{note}，麻烦您再联系一下。",
}


class Wish(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="person.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    unit: str = Field(default="", max_length=10)
    text: str = Field(max_length=MAX_TEXT)
    status: WishStatus = enum_field(WishStatus, WishStatus.pending, index=True)
    reason: str = Field(default="", max_length=200)  # why declined, or what the resident still waits for
    claimant_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    note: str = Field(default="", max_length=200)  # the member's word when done
    points: int = 0  # credited when confirmed
    reviewed_by: str = Field(default="", max_length=100)
    created_at: datetime = utc_field(index=True)
    updated_at: datetime = utc_field()
    claimed_at: datetime | None = utc_field(nullable=True)
    fulfilled_at: datetime | None = utc_field(nullable=True)
    confirmed_at: datetime | None = utc_field(nullable=True)

    @property
    def code(self) -> str:
        return f"W{self.id}"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""  # not_member | not_area | taken | already_yours | not_yours | wrong_status | own
    wish: Wish | None = None
    holder: str = ""  # who has it, when taken
    reached: int = 0  # members told, when published


_CODE = re.compile(r"[Ww]\s*(\d{1,9})")


def find(session: Session, code: str) -> Wish | None:
    """The wish 「W3」 (or 「w 3」) names, if any."""
    match = _CODE.search(code)
    return by_id(session, Wish, match.group(1)) if match else None


def _push(session: Session, key: str, person_id: int | None, text: str, now: datetime) -> None:
    if person_id is not None and pushable(session.get(Person, person_id)):
        push_once(session, idempotency_key=key, person_id=person_id, kind="wish", text=text, now=now)


def _move(
    session: Session, wish: Wish, *, to: WishStatus, expected: WishStatus, now: datetime, **where_values: Any
) -> bool:
    """The compare-and-set: ``wish`` moves from ``expected`` to ``to`` if nobody moved it first.
    ``where_values`` keys starting ``is_`` are further conditions (``is_claimant_id=5``)."""
    conditions = [col(Wish.id) == wish.id, col(Wish.status) == expected]
    values: dict[str, Any] = {"status": to, "updated_at": now}
    for key, value in where_values.items():
        if key.startswith("is_"):
            conditions.append(getattr(Wish, key[3:]) == value)
        else:
            values[key] = value
    session.flush()
    won = session.execute(update(Wish).where(*conditions).values(**values)).rowcount == 1  # type: ignore[attr-defined]
    session.refresh(wish)
    return won


def _who(session: Session, person: Person | None) -> str:
    return (person.name if person else "") or "居民"


def place_of(session: Session, wish: Wish) -> str:
    building = session.get(Building, wish.building_id) if wish.building_id else None
    if building is None:
        return ""
    head = f"{building.number}栋" if building.number.isdigit() else f"{building.number}座"
    return head + (f"{wish.unit}单元" if wish.unit else "") + "的"


def submit(session: Session, *, resident: Person, text: str, now: datetime) -> Wish:
    """A resident's wish, waiting for the community's review; the secretaries are told."""
    home = home_of(session, resident)
    building, room = home if home else (None, None)
    wish = Wish(
        resident_id=resident.id,  # type: ignore[arg-type]
        building_id=building.id if building else resident.building_id,
        unit=room.unit if room else "",
        text=text.strip()[:MAX_TEXT],
        created_at=now,
        updated_at=now,
    )
    session.add(wish)
    session.flush()
    who = place_of(session, wish) + _who(session, resident)
    office = session.exec(
        select(Person.id).where(col(Person.role) == Role.secretary, col(Person.erased_at).is_(None))
    )
    message = TEXTS["to_office"].format(code=wish.code, who=who, text=wish.text)
    for person_id in office:
        _push(session, f"wish:{wish.id}:review:{person_id}", person_id, message, now)
    return wish


def approve(session: Session, *, wish: Wish, by: str, now: datetime) -> Outcome:
    """审核通过: published, and pushed to every member whose 责任区 covers the resident's home."""
    if not _move(
        session, wish, to=WishStatus.published, expected=WishStatus.pending, now=now, reviewed_by=by
    ):
        return Outcome(False, "wrong_status", wish)
    members = [p for _, p in reachable_members(session, wish) if pushable(p)]
    resident = session.get(Person, wish.resident_id)
    text = TEXTS["to_members"].format(
        code=wish.code, place=place_of(session, wish), name=_who(session, resident), text=wish.text
    )
    targets = [Target(f"wish:{wish.id}:published:{p.id}", person_id=p.id) for p in members]
    enqueue_many(session, targets, kind="wish", text=text, now=now)
    _push(
        session, f"wish:{wish.id}:published", wish.resident_id, TEXTS["published"].format(code=wish.code), now
    )
    return Outcome(True, wish=wish, reached=len(targets))


def reachable_members(session: Session, wish: Wish) -> list[tuple[PartyMember, Person]]:
    """The members a published wish goes to: its 责任区's, never the resident themself."""
    if wish.building_id is None:
        return []
    found = members_covering(session, building_id=wish.building_id, unit=wish.unit)
    return [(m, p) for m, p in found if p.id != wish.resident_id]


def decline(session: Session, *, wish: Wish, by: str, reason: str, now: datetime) -> Outcome:
    reason = reason.strip()[:200] or "社区会另外安排"
    if not _move(
        session,
        wish,
        to=WishStatus.declined,
        expected=WishStatus.pending,
        now=now,
        reviewed_by=by,
        reason=reason,
    ):
        return Outcome(False, "wrong_status", wish)
    community = default_community(session)
    hotline = f" {community.hotline} " if community and community.hotline else ""
    text = TEXTS["declined"].format(code=wish.code, reason=reason.rstrip("。"), hotline=hotline)
    _push(session, f"wish:{wish.id}:declined", wish.resident_id, text, now)
    return Outcome(True, wish=wish)


def claim(session: Session, *, wish: Wish, person: Person, now: datetime) -> Outcome:
    """认领: a member of the wish's 责任区 takes it; of several at once exactly one wins."""
    member = membership(session, person.id)
    if member is None:
        return Outcome(False, "not_member", wish)
    if person.id == wish.resident_id:
        return Outcome(False, "own", wish)
    if wish.building_id is None or not covers(
        session,
        member_id=member.id,
        building_id=wish.building_id,
        unit=wish.unit,  # type: ignore[arg-type]
    ):
        return Outcome(False, "not_area", wish)
    won = _move(
        session,
        wish,
        to=WishStatus.claimed,
        expected=WishStatus.published,
        now=now,
        claimant_id=person.id,
        claimed_at=now,
    )
    if not won:
        return _why_not(session, wish, person)
    text = TEXTS["claimed"].format(member=person.name or "", code=wish.code)
    _push(session, f"wish:{wish.id}:claimed:{person.id}", wish.resident_id, text, now)
    return Outcome(True, wish=wish)


def _why_not(session: Session, wish: Wish, person: Person) -> Outcome:
    if wish.claimant_id == person.id and wish.status in (WishStatus.claimed, WishStatus.fulfilled):
        return Outcome(False, "already_yours", wish)
    if wish.claimant_id is not None and wish.status in (
        WishStatus.claimed,
        WishStatus.fulfilled,
        WishStatus.confirmed,
    ):
        holder = session.get(Person, wish.claimant_id)
        return Outcome(False, "taken", wish, holder=(holder.name if holder else "") or "其他党员")
    return Outcome(False, "wrong_status", wish)


def fulfil(session: Session, *, wish: Wish, person: Person, note: str, now: datetime) -> Outcome:
    """The member who claimed it says it is done; the resident is asked to confirm."""
    if wish.claimant_id != person.id:
        return _why_not(session, wish, person) if wish.claimant_id else Outcome(False, "not_yours", wish)
    note = note.strip()[:200]
    if not _move(
        session,
        wish,
        to=WishStatus.fulfilled,
        expected=WishStatus.claimed,
        now=now,
        is_claimant_id=person.id,
        note=note,
        fulfilled_at=now,
    ):
        return _why_not(session, wish, person)
    said = f"：{note.rstrip('。')}。" if note else "。"
    text = TEXTS["fulfilled"].format(member=person.name or "", code=wish.code, note=said)
    _push(session, f"wish:{wish.id}:fulfilled:{now.isoformat()}", wish.resident_id, text, now)
    return Outcome(True, wish=wish)


def confirm(session: Session, *, wish: Wish, resident: Person, points: int, now: datetime) -> Outcome:
    """The resident says they got it: confirmed, and the member earns ``points`` (once)."""
    if wish.resident_id != resident.id:
        return Outcome(False, "not_yours", wish)
    if not _move(
        session,
        wish,
        to=WishStatus.confirmed,
        expected=WishStatus.fulfilled,
        now=now,
        is_resident_id=resident.id,
        confirmed_at=now,
        points=points,
    ):
        return Outcome(False, "wrong_status", wish)
    assert wish.claimant_id is not None
    pay_member(session, wish, points, now)
    text = TEXTS["confirmed"].format(resident=_who(session, resident), code=wish.code, points=points)
    if points <= 0:
        text = text.split("，为您记")[0] + "。谢谢您！"
    _push(session, f"wish:{wish.id}:confirmed", wish.claimant_id, text, now)
    return Outcome(True, wish=wish)


def pay_member(session: Session, wish: Wish, points: int, now: datetime, *, how: str = "") -> None:
    """The member who fulfilled ``wish`` earns ``points``, once whoever confirms it (the resident,
    or 默认确认 with ``how``): the ledger's idempotency key is the wish's."""
    if points <= 0 or wish.claimant_id is None:
        return
    credit(
        session,
        person_id=wish.claimant_id,
        amount=points,
        reason=f"完成微心愿 {wish.code}" + (f"（{how}）" if how else ""),
        source=PointSource.task,
        now=now,
        source_ref=f"wish:{wish.id}",
        idempotency_key=f"wish:{wish.id}:points",
    )


def not_yet(session: Session, *, wish: Wish, resident: Person, note: str, now: datetime) -> Outcome:
    """「还没有」: back to the member who claimed it."""
    note = note.strip()[:200]
    if wish.resident_id != resident.id or not _move(
        session,
        wish,
        to=WishStatus.claimed,
        expected=WishStatus.fulfilled,
        now=now,
        is_resident_id=resident.id,
        reason=note,
    ):
        return Outcome(False, "wrong_status", wish)
    said = f"：{note.rstrip('。')}" if note else ""
    text = TEXTS["not_yet"].format(resident=_who(session, resident), code=wish.code, note=said)
    _push(session, f"wish:{wish.id}:not_yet:{now.isoformat()}", wish.claimant_id, text, now)
    return Outcome(True, wish=wish)


def open_for(session: Session, *, person: Person) -> list[Wish]:
    """Published wishes in this member's 责任区, oldest first."""
    member = membership(session, person.id)
    if member is None:
        return []
    areas = session.exec(select(DutyArea).where(DutyArea.member_id == member.id)).all()
    wishes = session.exec(
        select(Wish)
        .where(col(Wish.status) == WishStatus.published)
        .order_by(col(Wish.created_at), col(Wish.id))
    ).all()
    return [
        w
        for w in wishes
        if w.resident_id != person.id
        and any(a.building_id == w.building_id and a.unit in ("", w.unit) for a in areas)
    ]


def held_by(session: Session, *, person: Person) -> list[Wish]:
    """Wishes this member claimed and has not finished."""
    query = select(Wish).where(Wish.claimant_id == person.id, col(Wish.status) == WishStatus.claimed)
    return list(session.exec(query.order_by(col(Wish.claimed_at), col(Wish.id))))


def awaiting(session: Session, *, resident: Person) -> list[Wish]:
    """This resident's wishes a member says are done, waiting for their word."""
    query = select(Wish).where(Wish.resident_id == resident.id, col(Wish.status) == WishStatus.fulfilled)
    return list(session.exec(query.order_by(col(Wish.fulfilled_at), col(Wish.id))))


def listing(session: Session, *, status: WishStatus | None = None, limit: int = 200) -> list[Wish]:
    query = select(Wish)
    if status is not None:
        query = query.where(col(Wish.status) == status)
    return list(session.exec(query.order_by(col(Wish.created_at).desc(), col(Wish.id).desc()).limit(limit)))


def claimed_by(session: Session, *, person: Person) -> list[Wish]:
    """What this member has in hand: claimed, or done and waiting for the resident's word."""
    query = select(Wish).where(
        Wish.claimant_id == person.id,
        col(Wish.status).in_([WishStatus.claimed, WishStatus.fulfilled]),
    )
    return list(session.exec(query.order_by(col(Wish.claimed_at), col(Wish.id))))


def made_by(session: Session, *, resident: Person, limit: int = 8) -> list[Wish]:
    """This resident's own wishes, newest first."""
    query = select(Wish).where(Wish.resident_id == resident.id)
    return list(session.exec(query.order_by(col(Wish.created_at).desc(), col(Wish.id).desc()).limit(limit)))
