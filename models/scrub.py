"""Taking an erased person's phone numbers and name out of free text, and out of the outbox later.

``Scrubber`` cleans text. The outbox can hold a million pushes, and reading them all inside the
chat transaction that confirms an erasure would hold every other resident up, so the pushes
to staff and group chats that may quote the person are swept afterwards, in chunks of rows by
id, by the scheduler job ``sweep_erasures`` (``scheduler/privacy.py``): one ``erasure-sweep``
operation per erasure, its progress in ``GET /api/v1/operations/{id}``. The operation carries
the words to look for only while it runs; they are wiped when it finishes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from models.operations import Operation, OperationStatus, advance_operation, finish_operation, start_operation
from models.outbox import OutboxMessage
from models.people import ERASED_LABEL, Person, Role

HIDDEN = "***"
SWEEP = "erasure-sweep"
CHUNK = 50_000  # outbox ids per transaction
# Mobile numbers (with or without +86 and separators) and landlines with an area code.
PHONE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


@dataclass(frozen=True)
class Scrubber:
    """Takes a person's phone numbers and name out of free text."""

    phones: tuple[str, ...]
    names: tuple[str, ...]
    codes: tuple[str, ...] = ()  # their tickets: a text quoting one quotes their words

    def own(self, text: str) -> str:
        """Text they wrote, or written about their case: every phone number goes."""
        return PHONE.sub(HIDDEN, self.others(text))

    def others(self, text: str) -> str:
        """Text addressed to someone else: only their own number and name go, unless it quotes
        one of their tickets (then every number goes, as in ``own``)."""
        for phone in self.phones:
            text = text.replace(phone, HIDDEN)
        for name in self.names:
            text = text.replace(name, ERASED_LABEL)
        if self.codes and re.search("|".join(rf"{re.escape(c)}(?!\d)" for c in self.codes), text):
            text = PHONE.sub(HIDDEN, text)
        return text

    @property
    def words(self) -> list[str]:
        """What a text that mentions them contains."""
        return [*self.phones, *self.names, *self.codes]


def start_sweep(session: Session, *, person_id: int, scrub: Scrubber, now: datetime) -> int | None:
    """Queue the outbox sweep for an erasure; its operation id (None when there is nothing to look for)."""
    last = session.exec(select(func.max(OutboxMessage.id))).one()
    if not scrub.words or not last:
        return None
    detail = {
        "person_id": person_id,
        "phones": list(scrub.phones),
        "names": list(scrub.names),
        "codes": list(scrub.codes),
        "next_id": 0,
    }
    return start_operation(session, kind=SWEEP, now=now, total=int(last), detail=detail).id


def sweep_erasures(session: Session, *, now: datetime, chunk: int = CHUNK) -> int:
    """One chunk of every running erasure sweep; how many pushes were cleaned."""
    running = session.exec(
        select(Operation).where(Operation.kind == SWEEP, Operation.status == OperationStatus.running)
    ).all()
    cleaned = 0
    for operation in running:
        cleaned += _sweep_chunk(session, operation, now=now, chunk=chunk)
    return cleaned


def _sweep_chunk(session: Session, operation: Operation, *, now: datetime, chunk: int) -> int:
    detail: dict[str, Any] = dict(operation.detail)
    scrub = Scrubber(tuple(detail["phones"]), tuple(detail["names"]), tuple(detail["codes"]))
    start, end = int(detail["next_id"]), min(int(detail["next_id"]) + chunk, operation.total)
    office = select(Person.id).where(Person.role != Role.resident, col(Person.id) != detail["person_id"])
    rows = session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.id) > start,
            col(OutboxMessage.id) <= end,
            # Pushes that can mention a resident go to office roles and group chats.
            or_(col(OutboxMessage.person_id).in_(office), col(OutboxMessage.building_id).is_not(None)),
            or_(*[col(OutboxMessage.text).contains(word, autoescape=True) for word in scrub.words]),
        )
    )
    cleaned = 0
    for row in rows:
        text = scrub.others(row.text)
        if text != row.text:
            row.text, cleaned = text, cleaned + 1
            session.add(row)
    done = int(detail.get("cleaned", 0)) + cleaned
    if end >= operation.total:
        operation.detail = {"person_id": detail["person_id"], "cleaned": done}  # the words go
        session.add(operation)
        session.flush()
        finish_operation(session, operation_id=operation.id, ok=True, now=now)  # type: ignore[arg-type]
        return cleaned
    operation.detail = {**detail, "next_id": end, "cleaned": done}
    session.add(operation)
    session.flush()
    advance_operation(session, operation_id=operation.id, done=end)  # type: ignore[arg-type]
    return cleaned


def sweep_step(session: Session, *, operation_id: int | None, now: datetime) -> bool:
    """One chunk of one sweep (the CLI runs it to the end, a transaction per chunk); True while
    there is more to do."""
    operation = session.get(Operation, operation_id) if operation_id is not None else None
    if operation is None or operation.status != OperationStatus.running:
        return False
    _sweep_chunk(session, operation, now=now, chunk=CHUNK)
    return operation.status == OperationStatus.running
