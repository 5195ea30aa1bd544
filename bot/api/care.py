"""The care register (重点关爱对象): list, register (or update) and withdraw entries.

A refused entry answers 422 with ``{"field": …, "message": …}``; a flat or openid that does not
exist is refused the same way (it names the field). The admin changes the register; the
secretary and grid workers (their own grid) read it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import Field
from sqlmodel import col, select

from bot.api.deps import AdminActor, NowDep, ReadSessionDep, SessionDep, require
from bot.api.limits import Input, RowId, When
from bot.api.paging import PageDep, fetch, listing
from models.access import Actor, ApiRole, audit
from models.care import MAX_NAME, MAX_NEEDS, MAX_PHONE, CareError, CareRecipient, public, register, withdraw
from models.community import Room

router = APIRouter(tags=["care"])
ReadActor = Annotated[Actor, Depends(require(ApiRole.admin, ApiRole.secretary, ApiRole.grid_worker))]

Short = Annotated[str, Field(max_length=MAX_NAME)]


class CareCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    building: Annotated[str, Field(min_length=1, max_length=10)]
    unit: Annotated[str, Field(max_length=10)] = ""
    room: Annotated[str, Field(min_length=1, max_length=10)]
    kind: Literal["elder_alone", "disability", "illness", "child"]
    needs: Annotated[str, Field(max_length=MAX_NEEDS)] = ""
    contact_name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    contact_phone: Annotated[str, Field(min_length=5, max_length=MAX_PHONE)]
    contact_openid: Annotated[str, Field(max_length=64)] = ""
    openid: Annotated[str, Field(max_length=64)] = ""
    consent_by: Literal["person", "guardian"]
    consent_name: Short = ""
    consented_at: When


@router.get("/care")
def list_care(
    request: Request, response: Response, session: ReadSessionDep, actor: ReadActor, page: PageDep
) -> dict[str, Any]:
    query = select(CareRecipient).order_by(col(CareRecipient.id))
    if actor.building_ids is not None:
        query = query.join(Room, col(Room.id) == CareRecipient.room_id).where(
            col(Room.building_id).in_(actor.building_ids)
        )
    rows, total = fetch(session, query, page)
    return listing(request, response, page, [public(session, r) for r in rows], total)


@router.post("/care", status_code=status.HTTP_201_CREATED)
def post_care(
    body: CareCreate, response: Response, session: SessionDep, admin: AdminActor, now: NowDep
) -> dict[str, Any]:
    with session.begin():
        try:
            entry, created = register(
                session,
                name=body.name,
                flat=(body.building.strip().upper(), body.unit.strip(), body.room.strip()),
                kind=body.kind,
                needs=body.needs,
                contact_name=body.contact_name,
                contact_phone=body.contact_phone,
                contact_openid=body.contact_openid,
                openid=body.openid,
                consent_by=body.consent_by,
                consent_name=body.consent_name,
                consented_at=body.consented_at,
                now=now,
            )
        except CareError as exc:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, detail={"field": exc.field, "message": str(exc)}
            ) from exc
        action = "care.register" if created else "care.update"
        audit(session, actor=admin, action=action, now=now, target=f"care:{entry.id}")
        if not created:
            response.status_code = status.HTTP_200_OK
        return public(session, entry)


@router.delete("/care/{care_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_care(care_id: RowId, session: SessionDep, admin: AdminActor, now: NowDep) -> None:
    """Consent withdrawn, or moved away: the entry is deleted (nothing of it is kept)."""
    with session.begin():
        if not withdraw(session, care_id=care_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="care entry not found")
        audit(session, actor=admin, action="care.withdraw", now=now, target=f"care:{care_id}")
