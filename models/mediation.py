"""After a mediation (调解): both parties say whether it was settled (化解), and 化解率 counts that.

When a dispute is concluded, the reporter and the verified residents of the other party's flat
(when the flat is known; a claim not yet verified is not asked) are asked 「化解了吗」; each answer is kept per person. The other party is told
nothing about the reporter. A dispute counts as settled when everyone who answered says so.
Also here: 楼上/楼下/隔壁/对门 resolved to a flat from the reporter's home.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import utc_field
from models.community import Building, Room, find_room, room_label
from models.outbox import enqueue
from models.people import Person
from models.residency import Residency, ResidencyStatus
from models.tickets import Ticket, TicketKind

TEXTS = {
    "ask_other": "社区调解的邻里事项 {code} 已结案，谢谢您的配合。您觉得问题化解了吗？回复「化解了」或「没化解」。",
    "ask_reporter": "您觉得问题化解了吗？回复「化解了」或「没化解」。",
    "not_settled": "【调解回访】{code}（{place}）：有一方说问题还没化解，请再跟进。",
}
_FLAT = re.compile(r"([0-9A-Za-z]+)\s*[栋座号]楼?\s*(?:(\d+)\s*单元)?\s*(\d{3,4})")
SIDEWAYS = ("隔壁", "对门", "对面")


class MediationAnswer(SQLModel, table=True):
    __tablename__ = "mediation_answer"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("ticket_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    party: str = "reporter"  # reporter | other_party
    asked_at: datetime = utc_field()
    settled: bool | None = None  # None until they answer
    answered_at: datetime | None = utc_field(nullable=True)


def neighbour_flat(session: Session, *, home: tuple[Building, Room], relation: str) -> str | None:
    """「楼上」 of 3栋2单元502 is 3栋2单元602 when that flat exists; 隔壁/对门 only when one flat fits."""
    building, room = home
    if not room.room.isdigit() or len(room.room) < 3:
        return None
    floor, number = int(room.room[:-2]), room.room[-2:]
    if relation in ("楼上", "上面", "楼下", "下面"):
        step = 1 if relation in ("楼上", "上面") else -1
        found = find_room(session, building=building.number, unit=room.unit, room=f"{floor + step}{number}")
        return room_label(*found) if found else None
    if relation in SIDEWAYS:
        same_floor = session.exec(
            select(Room).where(
                Room.building_id == building.id,
                Room.unit == room.unit,
                col(Room.room).startswith(str(floor)),
                Room.id != room.id,
            )
        ).all()
        fits = [r for r in same_floor if len(r.room) == len(room.room)]
        return room_label(building, fits[0]) if len(fits) == 1 else None
    return None


def other_party_people(session: Session, *, ticket: Ticket) -> list[Person]:
    """The verified residents of the flat the dispute names (never the reporter), if it names one.

    A mere claim on the flat is not the other party: anyone may claim any flat, and the question
    would tell a stranger that the flat had a dispute."""
    match = _FLAT.search(ticket.other_party)
    if match is None:
        return []
    found = find_room(session, building=match.group(1), unit=match.group(2) or "", room=match.group(3))
    if found is None:
        return []
    query = (
        select(Person)
        .join(Residency, col(Residency.person_id) == col(Person.id))
        .where(
            Residency.room_id == found[1].id,
            Residency.status == ResidencyStatus.verified,
            col(Person.erased_at).is_(None),
        )
    )
    people = {p.id: p for p in session.exec(query.order_by(col(Person.id))) if p.id != ticket.reporter_id}
    return list(people.values())  # one each, though a person holds one residency per flat anyway


def ask_parties(session: Session, *, ticket: Ticket, now: datetime) -> str:
    """Ask the other party's residents (a push) and record that both sides were asked.

    A dispute concluded again (it was reopened) asks again: the earlier answers give way to the
    new ones. Returns the question for the reporter, to append to what they are told anyway.
    """
    parties = [(ticket.reporter_id, "reporter")]
    parties += [(p.id, "other_party") for p in other_party_people(session, ticket=ticket) if p.id]
    earlier = {
        row.person_id: row
        for row in session.exec(select(MediationAnswer).where(MediationAnswer.ticket_id == ticket.id))
    }
    for person_id, party in parties:
        row = earlier.get(person_id) or MediationAnswer(ticket_id=ticket.id, person_id=person_id)  # type: ignore[arg-type]
        row.party, row.asked_at, row.settled, row.answered_at = party, now, None, None
        session.add(row)
        if party == "other_party":
            enqueue(
                session,
                idempotency_key=f"ticket:{ticket.id}:mediation-asked:{person_id}:{now.isoformat()}",
                person_id=person_id,
                kind="ticket",
                text=TEXTS["ask_other"].format(code=ticket.code),
                now=now,
            )
    return TEXTS["ask_reporter"]


def awaiting_answer(session: Session, *, person: Person) -> bool:
    """Whether the person was asked 「化解了吗」 and has not answered yet."""
    query = select(MediationAnswer.id).where(
        MediationAnswer.person_id == person.id, col(MediationAnswer.answered_at).is_(None)
    )
    return session.exec(query).first() is not None


def answer(session: Session, *, person: Person, settled: bool, now: datetime) -> Ticket | None:
    """The person's answer to the latest mediation they were asked about; None when none waits."""
    row = session.exec(
        select(MediationAnswer)
        .where(MediationAnswer.person_id == person.id, col(MediationAnswer.answered_at).is_(None))
        .order_by(col(MediationAnswer.id).desc())
    ).first()
    if row is None:
        return None
    row.settled, row.answered_at = settled, now
    session.add(row)
    ticket = session.get(Ticket, row.ticket_id)
    if ticket is not None and row.party == "reporter" and ticket.kind == TicketKind.dispute:
        ticket.resident_fixed = settled  # the reporter's own word, as for any other work
        session.add(ticket)
    if ticket is not None and not settled and ticket.assignee_id is not None:
        enqueue(
            session,
            idempotency_key=f"ticket:{ticket.id}:not-settled:{person.id}",
            person_id=ticket.assignee_id,
            kind="ticket",
            text=TEXTS["not_settled"].format(code=ticket.code, place=ticket.place or "—"),
            now=now,
        )
    return ticket


def settled_by_parties(session: Session) -> dict[int, bool]:
    """Per dispute with at least one answer: whether everyone who answered said 化解."""
    verdicts: dict[int, bool] = {}
    rows = session.exec(select(MediationAnswer).where(col(MediationAnswer.settled).is_not(None)))
    for row in rows:
        verdicts[row.ticket_id] = verdicts.get(row.ticket_id, True) and bool(row.settled)
    return verdicts
