"""微心愿 by the clock: a wish nobody claims, and a wish done but never confirmed.

- published for ``wish_unclaimed_hours`` and still unclaimed → the secretaries are told once and
  the members of its 责任区 asked once more (one outbox row per person, keyed by the wish);
- fulfilled for ``wish_confirm_ask_hours`` and the resident silent → one gentle question;
  ``wish_auto_confirm_hours`` after that question → 默认确认: confirmed by compare-and-set, the
  member's points credited once (the ledger's idempotency key), both told.

A wish sent back by 「还没有」 and reported done again starts a new round (keys carry
``fulfilled_at``). Everything is computed from the database at ``now``: after downtime one run
catches up, and the question always comes a full period before the 默认确认.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.people import Person, Role, pushable
from models.wishes import Wish, WishStatus, _move, _push, _who, pay_member, place_of, reachable_members

TEXTS = {
    "office": "【微心愿无人认领】{code}：{who}的心愿「{text}」发布 {hours} 小时了，还没有党员认领。请联系责任区党员，或另作安排。",
    "members": "【微心愿】{code} 还没人认领：{who}想请人帮忙：{text}\n回复「认领心愿 {code}」认领。",
    "ask": "您好！党员{member}说您的微心愿 {code} 已经办好了。收到了吗？收到了请回复「收到了」，还没有请回复「还没有」。{days} 天内没有回复，就当作已经收到。",
    "auto_member": "微心愿 {code} 居民没有回复，已默认确认，为您记 {points} 积分。谢谢您！",
    "auto_member_no_points": "微心愿 {code} 居民没有回复，已默认确认。谢谢您！",
    "auto_resident": "您的微心愿 {code} 已默认确认完成。如果还有问题，请联系社区。",
}


class PartyRules(BaseModel):
    """``[party]`` in the config: 微心愿 time limits, in hours."""

    wish_unclaimed_hours: int = Field(default=24, ge=1)  # unclaimed this long → remind, once
    wish_confirm_ask_hours: int = Field(default=48, ge=1)  # done but unconfirmed this long → ask
    wish_auto_confirm_hours: int = Field(default=72, ge=1)  # no answer this long after → 默认确认


def _sent_at(session: Session, key: str) -> datetime | None:
    query = select(OutboxMessage.created_at).where(OutboxMessage.idempotency_key == key)
    return session.exec(query).first()


def _push_new(session: Session, key: str, person: Person | None, text: str, now: datetime) -> int:
    """One push under ``key`` unless it was ever made; 1 if it is made now."""

    if person is None or not pushable(person) or _sent_at(session, key) is not None:
        return 0
    _push(session, key, person.id, text, now)
    return 1


def _office(session: Session) -> list[Person]:
    query = select(Person).where(col(Person.role) == Role.secretary, col(Person.erased_at).is_(None))
    return list(session.exec(query.order_by(col(Person.id))))


def remind_unclaimed(session: Session, *, rules: PartyRules, now: datetime) -> int:
    """Wishes published ``wish_unclaimed_hours`` ago and still unclaimed: one reminder each to the
    secretaries and to the wish's 责任区 members, never again for the same wish."""

    due = now - timedelta(hours=rules.wish_unclaimed_hours)
    query = select(Wish).where(col(Wish.status) == WishStatus.published, col(Wish.updated_at) <= due)
    done = 0
    for wish in session.exec(query.order_by(col(Wish.id))).all():
        resident = session.get(Person, wish.resident_id)
        who = place_of(session, wish) + _who(session, resident)
        office = TEXTS["office"].format(
            code=wish.code, who=who, text=wish.text[:30], hours=rules.wish_unclaimed_hours
        )
        for person in _office(session):
            done += _push_new(session, f"wish:{wish.id}:unclaimed:office:{person.id}", person, office, now)
        again = TEXTS["members"].format(code=wish.code, who=who, text=wish.text)
        for _member, person in reachable_members(session, wish):
            done += _push_new(session, f"wish:{wish.id}:unclaimed:member:{person.id}", person, again, now)
    return done


def follow_up_unconfirmed(session: Session, *, rules: PartyRules, points: int, now: datetime) -> int:
    """Fulfilled wishes the resident has not answered: ask once, then 默认确认 once."""

    ask_after = timedelta(hours=rules.wish_confirm_ask_hours)
    query = select(Wish).where(
        col(Wish.status) == WishStatus.fulfilled, col(Wish.fulfilled_at) <= now - ask_after
    )
    done = 0
    for wish in session.exec(query.order_by(col(Wish.id))).all():
        assert wish.fulfilled_at is not None
        resident = session.get(Person, wish.resident_id)
        key = f"wish:{wish.id}:ask:{wish.fulfilled_at.isoformat()}"
        asked_at = _sent_at(session, key)
        if asked_at is None and resident is not None and pushable(resident):
            member = session.get(Person, wish.claimant_id) if wish.claimant_id else None
            text = TEXTS["ask"].format(
                member=(member.name if member else "") or "",
                code=wish.code,
                days=_days(rules.wish_auto_confirm_hours),
            )
            done += _push_new(session, key, resident, text, now)
            continue
        # Nobody to ask (no WeChat): the clock runs from when the question would have gone.
        since = asked_at or wish.fulfilled_at + ask_after
        if since <= now - timedelta(hours=rules.wish_auto_confirm_hours):
            done += auto_confirm(session, wish=wish, points=points, now=now)
    return done


def _days(hours: int) -> str:
    return str(hours // 24) if hours % 24 == 0 else f"{hours / 24:.1f}".rstrip("0").rstrip(".")


def auto_confirm(session: Session, *, wish: Wish, points: int, now: datetime) -> int:
    """默认确认: fulfilled → confirmed (compare-and-set), the member's points once; 1 if it moved."""

    if not _move(
        session,
        wish,
        to=WishStatus.confirmed,
        expected=WishStatus.fulfilled,
        now=now,
        confirmed_at=now,
        points=points,
        reason="默认确认",
    ):
        return 0
    pay_member(session, wish, points, now, how="默认确认")
    member = session.get(Person, wish.claimant_id) if wish.claimant_id else None
    to_member = TEXTS["auto_member" if points > 0 else "auto_member_no_points"]
    _push_new(
        session, f"wish:{wish.id}:confirmed", member, to_member.format(code=wish.code, points=points), now
    )
    resident = session.get(Person, wish.resident_id)
    _push_new(
        session,
        f"wish:{wish.id}:auto_confirmed",
        resident,
        TEXTS["auto_resident"].format(code=wish.code),
        now,
    )
    return 1
