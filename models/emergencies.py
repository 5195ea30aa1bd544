"""Emergencies: one incident per danger, its ticket, and one alert per responder.

An incident is an emergency ticket: one hazard at one place. Telling the same hazard at the same
place again while it is open (「着火了」 three times, or a neighbour telling the same fire) adds
to that incident instead of opening another; a different hazard, or another building, is a new
incident with its own alert. The people alerted are the duty staff and secretaries, and the
building head and grid worker of the building the message names (else the reporter's home) —
each once, whatever their roles. A place told later moves the ticket there and alerts that
building's head and grid worker, once each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.care import TEXTS as CARE_TEXTS
from models.care import CareWords, reach_first
from models.community import Building, room_label
from models.incident_matching import ANY_HAZARD, UNCONFIRMED, building_named, flat_named, open_incident
from models.outbox import OutboxMessage, enqueue
from models.people import Person, Role, describe, home_of
from models.routing import open_ticket
from models.sla import TicketRules
from models.tickets import OPEN, Ticket, TicketKind
from models.workers import building_heads, grid_workers


@dataclass(frozen=True)
class Incident:
    ticket: Ticket
    alerted: list[Person]
    new: bool  # False when the message added to an incident already open
    joined: bool = False  # another reporter's incident: this message told the same danger
    named_now: bool = False  # the reporter's incident had no hazard named; this message named one


def responders_for(session: Session, *, reporter: Person, building: Building | None) -> list[Person]:
    """Who is alerted: the building's head and grid worker, duty staff, secretaries; each once."""
    building_id = building.id if building is not None else None
    people = [
        *building_heads(session, building_id=building_id),
        *(grid_workers(session, building_id=building_id) if building_id is not None else []),
        *session.exec(select(Person).where(Person.role == Role.staff).order_by(col(Person.id))),
        *session.exec(select(Person).where(Person.role == Role.secretary).order_by(col(Person.id))),
    ]
    seen: set[int | None] = {reporter.id}
    unique: list[Person] = []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            unique.append(person)
    return unique


def raise_alarm(
    session: Session,
    *,
    rules: TicketRules,
    reporter: Person,
    text: str,
    hazard: str,
    building_number: str | None,
    alert: str,
    now: datetime,
    confirmed: bool = True,
    witness: str = "",
    common_spot: str = "",
    unit: str | None = None,
    room: str | None = None,
) -> Incident:
    """Open (or add to) the reporter's incident and alert each responder once.

    ``hazard`` is "" when the words name none (the classifier's call alone).
    ``alert`` is the push text with ``{who}``, ``{place}``, ``{text}`` and ``{code}`` to fill;
    ``witness`` the push with ``{code}``, ``{who}``, ``{text}`` when someone else tells the same
    incident; ``common_spot`` a common part the message names (「2单元楼道」), the place in the
    building rather than the reporter's flat. An unconfirmed alarm (partial evidence) is filed under the category 待核实.
    ``unit`` and ``room`` are what the message names, to tell a neighbour's incident from another.
    An incident raised on weak evidence (no hazard named) that is now told a hazard is alarmed again
    in full, with these words, to everyone alerted and the responders of its building.
    """
    home = home_of(session, reporter)
    named = building_named(session, building_number)
    building = named or (home[0] if home else None)
    existing = open_incident(
        session,
        reporter=reporter,
        hazard=hazard,
        named=named,
        building=building,
        now=now,
        unit=unit,
        room=room,
    )
    if existing is not None and existing.reporter_id == reporter.id and _names_it_now(existing, hazard):
        return _alarm_named(
            session, existing, reporter=reporter, text=text, hazard=hazard, alert=alert, now=now
        )
    if existing is not None:
        existing.description = (existing.description + "\n" + text)[:2000]
        session.add(existing)
        joined = existing.reporter_id != reporter.id
        if joined and witness:  # a second witness: everyone alerted gets their words and how to reach them
            who = describe(session, reporter)
            _tell_alerted(
                session,
                existing,
                key=f"emergency-witness-{reporter.id}",
                text=witness.replace("{who}", who).replace("{text}", text[:100]),
                now=now,
            )
        return Incident(ticket=existing, alerted=[], new=False, joined=joined)
    flat = flat_named(session, named, unit=unit, room=room)
    if common_spot and building is not None:  # 「3栋楼道里好多烟」: the stairwell, not the reporter's flat
        place = building.label + common_spot
        room_id = None
    elif named is not None and flat is not None:  # 「2栋2单元601着火了」: that flat, not the building
        place, room_id = room_label(named, flat), flat.id
    elif named is not None and (home is None or home[0].id != named.id):
        place = named.label
        room_id = None
    else:
        place = room_label(*home) if home else ""
        room_id = home[1].id if home else None
    ticket = open_ticket(
        session,
        rules=rules,
        kind=TicketKind.emergency,
        reporter=reporter,
        now=now,
        category="紧急" if confirmed else UNCONFIRMED,
        spot=hazard or ANY_HAZARD,
        building_id=building.id if building is not None else None,
        room_id=room_id,
        place=place,
        description=text[:500],
    )
    people = responders_for(session, reporter=reporter, building=building)
    push = alert.format(
        who=describe(session, reporter), place=place or "位置未说明", text=text, code=ticket.code
    )
    if confirmed:
        reach_care_first(session, ticket=ticket, now=now)
    _alert(session, ticket, people, push=push, now=now)
    return Incident(ticket=ticket, alerted=people, new=True)


def reach_care_first(session: Session, *, ticket: Ticket, now: datetime) -> None:
    """A confirmed danger in a building: the people on its care register (but the reporter) and
    their contacts hear first, and its head is tasked to check on them (``models.care``); once."""
    if ticket.building_id is None:
        return
    words = CareWords(
        person=CARE_TEXTS["alarm_person"],
        contact=CARE_TEXTS["alarm_contact"],
        task=CARE_TEXTS["alarm_task"],
        extra=(("code", ticket.code),),
    )
    reach_first(
        session,
        building_ids=[ticket.building_id],
        key=f"emergency-care:{ticket.id}",  # not "emergency:<id>:": they are not its responders
        kind="emergency",
        words=words,
        now=now,
        besides=ticket.reporter_id,
    )


def _names_it_now(ticket: Ticket, hazard: str) -> bool:
    """A hazard named at last for an incident raised with none (the classifier's call, or a call for help).
    A 待核实 one is confirmed instead (:func:`settle_unconfirmed` tells everyone alerted the words)."""
    return ticket.spot == ANY_HAZARD and ticket.category != UNCONFIRMED and hazard not in ("", ANY_HAZARD)


def _alarm_named(
    session: Session, ticket: Ticket, *, reporter: Person, text: str, hazard: str, alert: str, now: datetime
) -> Incident:
    """The full alarm again, with the words that name the danger: the first alert may have said
    nothing of it (「我是来看我妈的」), so everyone alerted and the building's responders get this one."""
    ticket.spot = hazard
    ticket.category = "紧急"
    ticket.description = (ticket.description + "\n" + text)[:2000]
    session.add(ticket)
    building = session.get(Building, ticket.building_id) if ticket.building_id is not None else None
    push = alert.format(
        who=describe(session, reporter), place=ticket.place or "位置未说明", text=text, code=ticket.code
    )
    already = _alerted(session, ticket)
    people = [p for p in responders_for(session, reporter=reporter, building=building) if p.id not in already]
    _tell_alerted(session, ticket, key=f"emergency-named-{hazard}", text=push, now=now)
    _alert(session, ticket, people, push=push, now=now)
    return Incident(ticket=ticket, alerted=alerted_people(session, ticket), new=False, named_now=True)


def _alert(session: Session, ticket: Ticket, people: list[Person], *, push: str, now: datetime) -> None:
    for person in people:
        enqueue(
            session,
            idempotency_key=f"emergency:{ticket.id}:{person.id}",
            person_id=person.id,
            kind="emergency",
            text=push,
            now=now,
        )


def alerted_people(session: Session, ticket: Ticket) -> list[Person]:
    """Everyone this incident's alert went to, in the order they were alerted."""
    people = [session.get(Person, person_id) for person_id in _alerted(session, ticket)]
    return [p for p in people if p is not None]


def _alerted(session: Session, ticket: Ticket) -> list[int]:
    """Who was sent this incident's alert."""
    prefix = f"emergency:{ticket.id}:"
    rows = session.exec(
        select(OutboxMessage.person_id)
        .where(col(OutboxMessage.idempotency_key).startswith(prefix))
        .order_by(col(OutboxMessage.id))
    ).all()
    return list(dict.fromkeys(p for p in rows if p is not None))


def tell_taken(session: Session, *, ticket: Ticket, taker: Person, text: str, now: datetime) -> None:
    """Everyone else alerted hears who took the incident (``text`` with ``{code}``, ``{place}``, ``{name}``)."""
    text = text.replace("{name}", taker.name or "工作人员")
    _tell_alerted(session, ticket, key="emergency-taken", text=text, now=now, besides=taker.id)


def _tell_alerted(
    session: Session, ticket: Ticket, *, key: str, text: str, now: datetime, besides: int | None = None
) -> None:
    for person_id in _alerted(session, ticket):
        if person_id == besides:
            continue
        enqueue(
            session,
            idempotency_key=f"{key}:{ticket.id}:{person_id}",
            person_id=person_id,
            kind="emergency",
            # replace, not format: the text carries what residents typed
            text=text.replace("{code}", ticket.code).replace("{place}", ticket.place or "位置未说明"),
            now=now,
        )


def settle_unconfirmed(
    session: Session, *, ticket_id: int, danger: bool, answer: str, text: str, now: datetime
) -> Ticket | None:
    """The reporter answered the safety question of an unconfirmed (待核实) alarm.

    ``danger``: confirmed, it becomes an ordinary emergency; otherwise it is stood down
    (cancelled with the answer as the reason). Everyone alerted is told either way; ``text`` has
    ``{code}``, ``{place}`` and ``{answer}`` to fill. None when the incident is gone or settled.
    """
    from models.feedback import cancel

    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.category != UNCONFIRMED or ticket.status not in OPEN:
        return None
    if danger:
        ticket.category = "紧急"
        ticket.description = (ticket.description + "\n居民确认：" + answer)[:2000]
        session.add(ticket)
    elif not cancel(session, ticket=ticket, actor_id=ticket.reporter_id, now=now, note=answer[:200]).ok:
        return None
    if danger:
        reach_care_first(session, ticket=ticket, now=now)
    key = "emergency-confirmed" if danger else "emergency-stood-down"
    _tell_alerted(session, ticket, key=key, text=text.replace("{answer}", answer[:60]), now=now)
    return ticket


def add_details(
    session: Session,
    *,
    ticket_id: int,
    text: str,
    phone: str,
    place: str,
    now: datetime,
    key: str = "details",
) -> None:
    """Record the reporter's callback number and/or place, and tell everyone already alerted.

    ``text`` is the push with ``{code}``, ``{phone}`` and ``{place}`` to fill; ``key`` tells one
    addition from another (the number first, the place later), so each reaches everyone once.
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return
    parts = [f"电话 {phone}" if phone else "", f"位置 {place}" if place else ""]
    ticket.description = (ticket.description + "\n" + "，".join(p for p in parts if p))[:2000]
    session.add(ticket)
    push = text.replace("{code}", ticket.code).replace("{phone}", phone).replace("{place}", place)
    _tell_alerted(session, ticket, key=f"emergency-{key}", text=push, now=now)


def add_words(session: Session, *, ticket: Ticket, words: str, push: str, now: datetime) -> None:
    """What the reporter says about their open incident goes on its ticket; with ``push`` (its
    ``{code}`` and ``{text}`` to fill), to everyone alerted too, once per thing said."""
    ticket.description = (ticket.description + "\n" + words)[:2000]
    session.add(ticket)
    if push:
        tell_said(session, ticket=ticket, words=words, push=push, now=now)


def tell_said(
    session: Session, *, ticket: Ticket, words: str, push: str, now: datetime, besides: int | None = None
) -> None:
    """Everyone alerted (but ``besides``, who said it) hears what was added (``push`` with ``{code}``,
    ``{text}``), once."""
    text = push.replace("{text}", words[:100])
    _tell_alerted(session, ticket, key=f"emergency-said-{words[:40]}", text=text, now=now, besides=besides)


def add_place(
    session: Session,
    *,
    ticket_id: int,
    place: str,
    building: Building | None,
    alert: str,
    text: str,
    now: datetime,
) -> list[Person]:
    """The place told after the alarm: the ticket moves there and everyone alerted hears it (``text``,
    with ``{code}`` and ``{place}``); the head and grid worker of ``building`` not yet alerted get the
    full alert (``alert``, as for :func:`raise_alarm`). Returns those newly alerted.
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not place or ticket.place == place[:60]:
        return []  # told again: everyone has it already
    ticket.place = place[:60]
    ticket.building_id = building.id if building is not None else ticket.building_id
    ticket.description = (ticket.description + "\n位置 " + place)[:2000]
    session.add(ticket)
    _tell_alerted(session, ticket, key=f"emergency-place-{place[:40]}", text=text, now=now)
    if ticket.category != UNCONFIRMED:
        reach_care_first(session, ticket=ticket, now=now)
    reporter = session.get(Person, ticket.reporter_id)
    if building is None or reporter is None:
        return []
    already = set(_alerted(session, ticket))
    people = [p for p in responders_for(session, reporter=reporter, building=building) if p.id not in already]
    first_words = ticket.description.split("\n", 1)[0]
    push = (
        alert.replace("{who}", describe(session, reporter))
        .replace("{place}", ticket.place)
        .replace("{code}", ticket.code)
        .replace("{text}", first_words)
    )
    _alert(session, ticket, people, push=push, now=now)
    return people


def alerted_open(session: Session, *, person: Person) -> list[Ticket]:
    """Open incidents whose alert went to ``person``, taken by anyone or by nobody yet."""
    query = select(Ticket).where(Ticket.kind == TicketKind.emergency, col(Ticket.status).in_(OPEN))
    return [
        t for t in session.exec(query.order_by(col(Ticket.created_at))) if person.id in _alerted(session, t)
    ]


def unaccepted(session: Session, *, person: Person | None = None) -> list[Ticket]:
    """Open emergencies nobody has taken yet; with ``person``, those whose alert went to them."""
    query = select(Ticket).where(
        Ticket.kind == TicketKind.emergency,
        col(Ticket.status).in_(OPEN),
        col(Ticket.assignee_id).is_(None),
    )
    tickets = list(session.exec(query.order_by(col(Ticket.created_at))))
    if person is None:
        return tickets
    return [t for t in tickets if person.id in _alerted(session, t)]
