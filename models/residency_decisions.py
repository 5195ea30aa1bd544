"""Deciding a claim on a flat: who may (the building's head, or an admin), and the decision itself —
verified (as the relationship they confirm) or refused with a reason, the resident told either
way, and the audit row written here for every front end (chat, API, console)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from models.access import Actor, audit
from models.actors import Someone
from models.community import Room
from models.outbox import enqueue
from models.people import Person, Role
from models.residency import (
    Relationship,
    Residency,
    ResidencyError,
    ResidencyStatus,
    mark_verified,
    room_of,
    verified_owner_of,
)


def may_decide(session: Session, decider: Person, residency: Residency) -> bool:
    """Admins decide anywhere; a building head for their own building."""
    if decider.role == Role.admin:
        return True
    room = session.get(Room, residency.room_id)
    return decider.role == Role.building_head and room is not None and room.building_id == decider.building_id


def decide(
    session: Session,
    *,
    residency_id: int,
    approve: bool,
    by: str,
    actor: Actor | Someone,
    now: datetime,
    relationship: Relationship | None = None,
    note: str = "",
) -> Residency:
    """Approve or refuse a claim (``by`` names the decider as people read it, as the residency
    keeps it); audited here (``residency.verify`` / ``residency.reject``) for every front end."""
    residency = session.get(Residency, residency_id)
    if residency is None:
        raise LookupError(f"没有找到住户登记 B{residency_id}")
    if residency.status != ResidencyStatus.claimed:
        done = {"verified": "已经核实过了", "refused": "已经核实未通过", "ended": "已经解除了"}
        raise ResidencyError(f"{residency.code} {done[residency.status]}。")
    person = session.get(Person, residency.person_id)
    assert person is not None
    if approve:
        residency.relationship = relationship or residency.relationship
        owner = verified_owner_of(session, residency.room_id, besides=person.id)
        if residency.relationship == Relationship.owner and owner is not None:
            raise ResidencyError(
                f"该房屋已有核实的业主{owner.name or ''}：请按家庭成员或租户核实，或先解除原业主的绑定。"
            )
        mark_verified(session, residency, person=person, via="approval", by=by, tag=actor.tag, now=now)
        _audit_decision(session, residency, actor=actor, now=now, note=note)
        return residency
    residency.status, residency.note = ResidencyStatus.refused, note
    residency.verified_by, residency.verified_by_tag, residency.verified_at = by, actor.tag, now
    session.add(residency)
    _, _, label = room_of(session, residency.room_id)
    if person.room_id == residency.room_id:
        person.room_id, person.is_owner = None, False
        session.add(person)
    enqueue(
        session,
        idempotency_key=f"residency:{residency.id}:refused",
        person_id=person.id,
        kind="binding",
        text=f"您登记的 {label} 未通过核实"
        + (f"：{note}。" if note else "。")
        + "如有疑问请联系楼栋长，或带身份证和房产证（租房合同）到物业服务中心办理。",
        now=now,
    )
    _audit_decision(session, residency, actor=actor, now=now, note=note)
    return residency


def _audit_decision(
    session: Session, residency: Residency, *, actor: Actor | Someone, now: datetime, note: str
) -> None:
    action = "residency.verify" if residency.status == ResidencyStatus.verified else "residency.reject"
    audit(session, actor=actor, action=action, now=now, target=f"residency:{residency.id}", note=note)
