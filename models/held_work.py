"""The work a staff member holds, for words said about it with no ticket number.

A repairman's 「我到了 正在修」, a building head's 「到现场了 …已经灭了 没事了」 are about work they
hold: the tickets assigned to them and not finished, and the open incidents they were alerted to
(whoever took them). What the words do to it is in ``models.ticket_actions`` (:func:`said_alone`).
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from models.emergencies import alerted_open
from models.people import Person
from models.tickets import OPEN, WORKING, Ticket, TicketKind

# Words that tell which kind of work is meant when one holds several kinds.
_KIND_WORDS = {
    TicketKind.repair: re.compile(r"修|换了|换好|零件|阀|管子|水管|灯泡|开关|电路"),
    TicketKind.emergency: re.compile(r"火|烟|灭|烧|煤气|燃气|救|困|摔|120|119|110|险|现场"),
    TicketKind.dispute: re.compile(r"聊|谈|劝|调解|协调|沟通|他们说|对方说|答应|以后注意"),
}
_KIND_WORDS[TicketKind.complaint] = _KIND_WORDS[TicketKind.dispute]
_NUMBER = re.compile(r"\d{3,4}")


def held_work(session: Session, *, person: Person) -> list[Ticket]:
    """The person's tickets not finished, then the open incidents alerted to them, each once."""
    query = select(Ticket).where(Ticket.assignee_id == person.id, col(Ticket.status).in_(WORKING))
    tickets = list(session.exec(query.order_by(col(Ticket.due_at))))
    seen = {t.id for t in tickets}
    return tickets + [t for t in alerted_open(session, person=person) if t.id not in seen]


def meant(tickets: list[Ticket], text: str) -> list[Ticket]:
    """The tickets the words can be about: those whose room number they name (「602」), else those
    of the kind they speak of (修 is a repair, 灭了 an incident), else all."""
    numbers = set(_NUMBER.findall(text))
    named = [t for t in tickets if numbers & set(_NUMBER.findall(t.place))]
    if named:
        return named
    kinds = [t for t in tickets if (words := _KIND_WORDS.get(t.kind)) and words.search(text)]
    if kinds and len({t.kind for t in kinds}) < len({t.kind for t in tickets}):
        return kinds
    return tickets


def reports_own(session: Session, *, person: Person) -> bool:
    """Whether the person has a report of their own open (then 「修好了」 may be about it)."""
    query = select(Ticket.id).where(Ticket.reporter_id == person.id, col(Ticket.status).in_(OPEN))
    return session.exec(query.limit(1)).first() is not None
