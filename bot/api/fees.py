"""物业收费 for the office: bills and payments (JSON, or the office's CSV), 减免, arrears, 收缴率.

Refusals about the books rather than the input are 409 with a ``reason`` (``overpaid``: more than
the charge still owes); a charge that does not exist is 404. A bill already on the books for that
flat, item and month is not added twice (``created: false``); a payment whose ``reference`` its
channel already reported is the same payment (``created: false``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from bot.api.deps import Everyone, NowDep, OfficeActor, ReadSessionDep, SessionDep
from bot.api.limits import Input, RowId, When
from bot.db import write_gate
from models.access import Actor, audit
from models.community import find_room
from models.csvfile import CsvEncodingError, decode
from models.fee_import import import_charges, import_payments
from models.fee_reminders import FeeRules, flats_owing
from models.fee_stats import collection
from models.fees import (
    CHANNELS,
    MAX_ITEM,
    MAX_REASON,
    FeeError,
    add_charge,
    owed_rows,
    record_payment,
    reduce_charge,
)
from models.ledger import MAX_AMOUNT_FEN, MONTH_PATTERN

router = APIRouter(tags=["fees"])
STATUS = {"overpaid": 409, "not_found": 404}
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}


class ChargeCreate(Input):
    building: str = Field(min_length=1, max_length=20, examples=["3"])
    unit: str = Field(default="", max_length=20, examples=["1"])
    room: str = Field(min_length=1, max_length=20, examples=["302"])
    item: str = Field(min_length=1, max_length=MAX_ITEM, examples=["物业费"])
    period: str = Field(pattern=MONTH_PATTERN, examples=["2026-10"], description="the billing month")
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN, description="amount in fen (分)")
    due_on: date | None = Field(
        default=None, ge=FIRST_DAY, le=LAST_DAY, description="default: the month's end"
    )


class PaymentCreate(Input):
    charge_id: RowId
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN)
    channel: str = Field(default="office", max_length=20, description=" | ".join(CHANNELS))
    reference: str | None = Field(default=None, max_length=64, description="the channel's own payment id")
    paid_at: When | None = None


class ReductionCreate(Input):
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN)
    reason: str = Field(min_length=1, max_length=MAX_REASON, examples=["低保户，经居委会核实"])
    approved_by: str = Field(min_length=1, max_length=100, examples=["周书记"])


def _refused(exc: FeeError) -> HTTPException:
    return HTTPException(STATUS.get(exc.reason, 422), detail={"reason": exc.reason, "problems": exc.problems})


def _outstanding(session: Session, charge_id: int) -> int:
    return owed_rows(session, charge_ids=[charge_id])[0].outstanding


@router.post("/fees/charges", status_code=status.HTTP_201_CREATED)
def create_charge(
    body: ChargeCreate, session: SessionDep, office: OfficeActor, now: NowDep
) -> dict[str, Any]:
    """Bill one flat one item for one month."""
    try:
        with session.begin():
            found = find_room(session, building=body.building, unit=body.unit, room=body.room)
            if found is None or found[1].id is None:
                raise FeeError([f"找不到房屋 {body.building}-{body.unit}-{body.room}"], reason="not_found")
            fields = body.model_dump(include={"item", "period", "amount_fen", "due_on"})
            charge, created = add_charge(
                session, room_id=found[1].id, created_by=office.tag, now=now, **fields
            )
            target = f"fee_charge:{charge.id}"  # billed again: recorded too, as the same bill
            audit(session, actor=office, action="fees.bill", now=now, target=target, created=created)
    except FeeError as exc:
        raise _refused(exc) from exc
    return {"id": charge.id, "created": created}


@router.post("/fees/payments", status_code=status.HTTP_201_CREATED)
def create_payment(
    body: PaymentCreate, session: SessionDep, office: OfficeActor, now: NowDep
) -> dict[str, Any]:
    """Record money received against a charge (the office today; an online channel later)."""
    try:
        with session.begin():
            payment, created = record_payment(
                session,
                charge_id=body.charge_id,
                amount_fen=body.amount_fen,
                channel=body.channel,
                reference=body.reference,
                paid_at=body.paid_at or now,
                recorded_by=office.tag,
                now=now,
            )
            target = f"fee_payment:{payment.id}"  # a channel's retry: recorded, as the same payment
            audit(session, actor=office, action="fees.pay", now=now, target=target, created=created)
            left = _outstanding(session, payment.charge_id)
    except FeeError as exc:
        raise _refused(exc) from exc
    return {"id": payment.id, "created": created, "outstanding_fen": left}


@router.post("/fees/charges/{charge_id}/reductions", status_code=status.HTTP_201_CREATED)
def create_reduction(
    charge_id: RowId, body: ReductionCreate, session: SessionDep, office: OfficeActor, now: NowDep
) -> dict[str, Any]:
    """减免 part of a charge for hardship, with its reason and approver."""
    try:
        with session.begin():
            cut = reduce_charge(session, charge_id=charge_id, now=now, **body.model_dump())
            audit(session, actor=office, action="fees.reduce", now=now, target=f"fee_charge:{charge_id}")
            left = _outstanding(session, charge_id)
    except FeeError as exc:
        raise _refused(exc) from exc
    return {"id": cut.id, "outstanding_fen": left}


@router.get("/fees/collection")
def collection_rate(
    session: ReadSessionDep,
    actor: Everyone,
    now: NowDep,
    period: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
) -> dict[str, Any]:
    """收缴率 of charges already due: the total, and per building and billing month."""
    scope = sorted(actor.building_ids) if actor.building_ids is not None else None
    total, rows = collection(session, now=now, period=period, building_ids=scope)
    return {**total.as_json(), "rows": [r.as_json() for r in rows]}


@router.get("/fees/overdue")
def overdue(session: ReadSessionDep, office: OfficeActor, now: NowDep) -> dict[str, Any]:
    """Flats with a charge past its due date and unsettled (no grace), for the office's calls."""
    flats = flats_owing(session, rules=FeeRules(grace_days=0), now=now)
    return {"items": [{"room_id": f.room_id, "owed_fen": f.owed_fen} for f in flats], "total": len(flats)}


@router.post("/fees/charges/import", status_code=status.HTTP_201_CREATED, openapi_extra=CSV_BODY)
async def import_charge_csv(request: Request, office: OfficeActor) -> dict[str, Any]:
    """Body: CSV ``building,unit,room,item,period,amount_yuan[,due_on]``; all lines or none."""
    return await _import(request, office, "charges")


@router.post("/fees/payments/import", status_code=status.HTTP_201_CREATED, openapi_extra=CSV_BODY)
async def import_payment_csv(request: Request, office: OfficeActor) -> dict[str, Any]:
    """Body: CSV ``building,unit,room,item,period,amount_yuan[,channel,reference,paid_on]``."""
    return await _import(request, office, "payments")


async def _import(request: Request, office: Actor, kind: str) -> dict[str, Any]:
    try:
        text = decode(await request.body())
    except CsvEncodingError as exc:
        raise HTTPException(422, detail={"reason": "invalid", "problems": exc.problems}) from exc
    engine, now = request.app.state.engine, request.app.state.clock.now()
    return await run_in_threadpool(import_fee_file, engine, text, office, now, kind)


def import_fee_file(engine: Any, text: str, office: Actor, now: datetime, kind: str) -> dict[str, Any]:
    with write_gate(engine), Session(engine, expire_on_commit=False) as session:
        try:
            with session.begin():
                if kind == "charges":
                    done, skipped = import_charges(session, text=text, created_by=office.tag, now=now)
                else:
                    done, skipped = import_payments(session, text=text, recorded_by=office.tag, now=now)
                audit(session, actor=office, action=f"fees.import_{kind}", now=now, target="fees", rows=done)
        except FeeError as exc:
            raise _refused(exc) from exc
    return {"imported": done, "already": skipped}
