"""How a residency reads: for the person deciding a claim, and on the ballot it stood behind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from models.base import LOCAL_TZ
from models.people import Person
from models.residency import RELATIONSHIP_NAMES, Residency, room_of, verified_owner_of


def verification(residency: Residency | None) -> dict[str, Any]:
    """What stood behind a ballot, kept with it: the residency, how and by whom it was verified, when."""
    if residency is None or residency.verified_at is None:
        return {}
    return {
        "residency": residency.code,
        "relationship": residency.relationship.value,
        "via": residency.via,
        "by": residency.verified_by,
        "by_tag": residency.verified_by_tag,
        "at": residency.verified_at.isoformat(),
    }


def describe_verification(snapshot: dict[str, Any]) -> str:
    """「楼栋长陈建国 11月23日核实（B12）」: a verification as people read it."""
    if not snapshot:
        return "无核实记录"
    if snapshot.get("via") == "paper":
        return f"纸质票，{snapshot.get('by') or '工作人员'}录入"
    at = datetime.fromisoformat(snapshot["at"]).astimezone(LOCAL_TZ)
    when = f"{at.month}月{at.day}日"
    how = {"register": "业主名册核对", "import": "物业导入登记"}.get(snapshot.get("via", ""))
    text = f"{how}（{when}）" if how else f"{snapshot.get('by') or '管理员'} {when}核实"
    return text + (f"（{snapshot['residency']}）" if snapshot.get("residency") else "")


def listing_row(session: Session, residency: Residency) -> dict[str, Any]:
    """A residency with what a decider needs: the person, the flat, the relationship, the owner."""
    person = session.get(Person, residency.person_id)
    _, _, label = room_of(session, residency.room_id)
    owner = verified_owner_of(session, residency.room_id, besides=residency.person_id)
    return {
        "id": residency.id,
        "code": residency.code,
        "person_id": residency.person_id,
        "name": person.name if person else "",
        "phone": person.phone if person else "",
        "room_id": residency.room_id,
        "room": label,
        "relationship": residency.relationship.value,
        "relationship_name": RELATIONSHIP_NAMES[residency.relationship],
        "status": residency.status.value,
        "via": residency.via,
        "verified_by": residency.verified_by,
        "verified_by_tag": residency.verified_by_tag,
        "claimed_at": residency.claimed_at,
        "verified_at": residency.verified_at,
        "ended_at": residency.ended_at,
        "note": residency.note,
        "verified_owner": {"person_id": owner.id, "name": owner.name, "phone": owner.phone}
        if owner
        else None,
    }
