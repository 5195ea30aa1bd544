"""The office's view of residents: find one by name, phone or address, read their file (homes,
binding history with who decided and when, tickets, points), and unbind a home.

Reads only, except :func:`unbind_home`, which ends a residency, tells the resident and writes the
audit row in the caller's transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from models.access import Actor, AuditEntry, audit
from models.community import Building, Room
from models.dispatch import KIND_LABEL
from models.outbox import enqueue
from models.people import BindingRequest, BindingStatus, Person, Role, home_label
from models.points import balance, history
from models.residency import (
    OPEN,
    RELATIONSHIP_NAMES,
    Residency,
    ResidencyError,
    ResidencyStatus,
    room_of,
    unbind,
)
from models.tickets import STATUS_LABEL, Ticket

RESIDENT_ROLES = (Role.resident, Role.building_head)
STATUS_NAMES = {"claimed": "待核实", "verified": "已核实", "refused": "未通过", "ended": "已解除"}
CLAIMED_BY = {"import": "物业导入", "approval": "本人申请"}  # else the resident claimed it in chat
REQUEST_NAMES = {"pending": "待审核", "approved": "已通过", "rejected": "已驳回"}
# 「3栋2单元502」「3-2-502」「B座1201」「3栋」: building, then unit and room when given
ADDRESS = re.compile(
    r"^\s*([0-9]+|[A-Za-z])\s*(?:栋|座|号楼|幢|-)\s*(?:([0-9]+)\s*(?:单元|-))?\s*([0-9]+)?\s*(?:室|号)?\s*$"
)


def search_query(text: str) -> Select[Any]:
    """Residents (and building heads) whose name or phone holds ``text``, or who live at the
    address it names; each row is (person, building, room), the last two None without a home."""
    query = (
        select(Person, Building, Room)
        .outerjoin(Room, col(Room.id) == Person.room_id)
        .outerjoin(Building, col(Building.id) == Room.building_id)
        .where(col(Person.role).in_(RESIDENT_ROLES), col(Person.erased_at).is_(None))
        .order_by(col(Building.number), col(Room.unit), col(Room.room), col(Person.id))
    )
    text = text.strip()
    if not text:
        return query
    pattern = f"%{text.replace('%', '').replace('_', '')}%"
    wanted: list[Any] = [col(Person.name).like(pattern), col(Person.phone).like(pattern)]
    if found := ADDRESS.match(text):
        building, unit, room = found.groups()
        address: list[Any] = [col(Building.number) == building.upper()]
        if unit:
            address.append(col(Room.unit) == unit)
        if room:
            address.append(col(Room.room) == room)
        wanted.append(and_(*address))
    return query.where(or_(*wanted))


def resident(session: Session, person_id: int) -> Person | None:
    """The person, if they are a resident (or building head) whose data has not been erased."""
    person = session.get(Person, person_id)
    if person is None or person.role not in RESIDENT_ROLES or person.erased_at is not None:
        return None
    return person


@dataclass
class ResidentFile:
    """What the office sees of one resident."""

    person: Person
    home: str
    homes: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    points: int = 0
    point_entries: list[dict[str, Any]] = field(default_factory=list)


def resident_file(session: Session, person: Person, *, tickets: int = 20, entries: int = 10) -> ResidentFile:
    residencies = list(
        session.exec(
            select(Residency).where(Residency.person_id == person.id).order_by(col(Residency.id).desc())
        )
    )
    homes = []
    events: list[tuple[datetime, int, dict[str, Any]]] = []
    for r in residencies:
        _, _, label = room_of(session, r.room_id)
        what = f"{label}（{RELATIONSHIP_NAMES[r.relationship]}）"
        if r.status in OPEN:
            homes.append(
                {
                    "id": r.id,
                    "code": r.code,
                    "room": label,
                    "relationship": RELATIONSHIP_NAMES[r.relationship],
                    "status": STATUS_NAMES[r.status],
                    "verified": r.status == ResidencyStatus.verified,
                    "by": r.verified_by,
                    "since": r.verified_at or r.claimed_at,
                    "is_home": person.room_id == r.room_id,
                }
            )
        events.append(
            (
                r.claimed_at,
                0,
                {"what": f"登记 {r.code}：{what}", "who": CLAIMED_BY.get(r.via, "本人"), "note": ""},
            )
        )
        if r.status == ResidencyStatus.verified and r.verified_at:
            events.append(
                (r.verified_at, 1, {"what": f"核实通过 {r.code}", "who": r.verified_by, "note": ""})
            )
        if r.status == ResidencyStatus.refused and r.verified_at:
            events.append(
                (r.verified_at, 1, {"what": f"核实未通过 {r.code}", "who": r.verified_by, "note": r.note})
            )
        if r.status == ResidencyStatus.ended and r.ended_at:
            events.append(
                (r.ended_at, 2, {"what": f"解除 {r.code}：{label}", "who": _ended_by(r.note), "note": ""})
            )
    requests = list(session.exec(select(BindingRequest).where(BindingRequest.person_id == person.id)))
    deciders = _deciders(session, [r.id for r in requests if r.id is not None])
    for q in requests:
        label = f"{q.building}栋{q.unit + '单元' if q.unit else ''}{q.room}"
        pending = "（待审核）" if q.status == BindingStatus.pending else ""
        events.append(
            (q.created_at, 0, {"what": f"申请绑定 #{q.id}：{label}{pending}", "who": "本人", "note": ""})
        )
        if q.decided_at is not None:
            events.append(
                (
                    q.decided_at,
                    1,
                    {
                        "what": f"申请 #{q.id} {REQUEST_NAMES[q.status]}",
                        "who": deciders.get(q.id, "管理员"),  # type: ignore[arg-type]
                        "note": q.note,
                    },
                )
            )
    events.sort(key=lambda e: (e[0], e[1]), reverse=True)
    rows = session.exec(
        select(Ticket).where(Ticket.reporter_id == person.id).order_by(col(Ticket.id).desc()).limit(tickets)
    )
    return ResidentFile(
        person=person,
        home=home_label(session, person),
        homes=homes,
        history=[{"at": at, **event} for at, _, event in events],
        tickets=[
            {
                "id": t.id,
                "code": t.code,
                "kind": KIND_LABEL[t.kind],
                "status": STATUS_LABEL[t.status],
                "what": t.category or t.description[:20],
                "at": t.created_at,
            }
            for t in rows
        ],
        points=balance(session, person_id=person.id),  # type: ignore[arg-type]
        point_entries=[
            {"amount": e.amount, "reason": e.reason, "at": e.created_at}
            for e in history(session, person_id=person.id, limit=entries)  # type: ignore[arg-type]
        ],
    )


def _ended_by(note: str) -> str:
    """「解除绑定（管理员吴小燕）」 → 「管理员吴小燕」; other endings (a new home) → 「本人」."""
    if note.startswith("解除绑定（") and note.endswith("）"):
        return note[5:-1]
    return "本人（换了房屋）" if note == "重新绑定" else (note or "—")


def _deciders(session: Session, request_ids: list[int]) -> dict[int, str]:
    """Who decided each binding request, as the audit log names them."""
    if not request_ids:
        return {}
    targets = [f"binding_request:{i}" for i in request_ids]
    rows = session.exec(
        select(AuditEntry.target, AuditEntry.actor_name, AuditEntry.actor).where(
            col(AuditEntry.target).in_(targets),
            col(AuditEntry.action).in_(["binding.approve", "binding.reject"]),
        )
    )
    return {int(target.partition(":")[2]): name or tag for target, name, tag in rows}


def unbind_home(
    session: Session, *, residency_id: int, actor: Actor, now: datetime, note: str = ""
) -> Residency:
    """End an open residency (the office unbinds a home): the resident is told, the audit log
    records who. Raises ``LookupError`` / ``ResidencyError`` with a Chinese sentence."""
    residency = session.get(Residency, residency_id)
    if residency is None:
        raise LookupError(f"没有找到住户登记 B{residency_id}。")
    if residency.status not in OPEN:
        raise ResidencyError(f"{residency.code} {STATUS_NAMES[residency.status]}，不能再解除。")
    _, _, label = room_of(session, residency.room_id)
    who = actor.label or actor.name
    unbind(session, residency=residency, by=who, now=now)
    enqueue(
        session,
        idempotency_key=f"residency:{residency.id}:unbound",
        person_id=residency.person_id,
        kind="binding",
        text=f"您与 {label} 的绑定已由物业解除。如有疑问请联系物业。",
        now=now,
    )
    audit(
        session,
        actor=actor,
        action="residency.unbind",
        now=now,
        target=f"residency:{residency.id}",
        note=note,
        room=label,
    )
    return residency
