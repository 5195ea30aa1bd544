"""微心愿 for the office: list them, publish one to its 责任区's members, or decline it with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from bot.api.deps import NowDep, OfficeActor, ReadSessionDep, SessionDep
from bot.api.limits import Input, RowId
from models import wishes
from models.access import audit
from models.base import by_id
from models.wishes import STATUS_NAMES, Wish, WishStatus

router = APIRouter(tags=["wishes"])


class WishPublic(BaseModel):
    id: int
    code: str
    resident_id: int
    building_id: int | None
    unit: str
    text: str
    status: str
    status_name: str
    reason: str
    claimant_id: int | None
    note: str
    points: int
    created_at: datetime
    claimed_at: datetime | None
    fulfilled_at: datetime | None
    confirmed_at: datetime | None


class Decline(Input):
    reason: str = ""


def _public(wish: Wish) -> WishPublic:
    return WishPublic(
        **wish.model_dump(exclude={"reviewed_by", "updated_at"}),
        code=wish.code,
        status_name=STATUS_NAMES[wish.status],
    )


@router.get("/wishes")
def list_wishes(
    session: ReadSessionDep,
    _office: OfficeActor,
    status_: Annotated[WishStatus | None, Query(alias="status")] = None,
) -> dict[str, object]:
    items = [_public(w) for w in wishes.listing(session, status=status_)]
    return {"items": items, "total": len(items)}


def _decide(
    session: SessionDep, actor: OfficeActor, now: datetime, wish_id: int, reason: str | None
) -> dict[str, object]:
    with session.begin():
        wish = by_id(session, Wish, wish_id)
        if wish is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个微心愿。")
        by = actor.label or actor.name
        if reason is None:
            outcome = wishes.approve(session, wish=wish, by=by, now=now)
        else:
            outcome = wishes.decline(session, wish=wish, by=by, reason=reason, now=now)
        if not outcome.ok:
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail=f"{wish.code} 现在{STATUS_NAMES[wish.status]}，不能再审核。"
            )
        action = "wish.approve" if reason is None else "wish.decline"
        audit(session, actor=actor, action=action, now=now, target=f"wish:{wish_id}", note=reason or "")
        return {"wish": _public(wish), "reached": outcome.reached}


@router.post("/wishes/{wish_id}/approve")
def approve_wish(wish_id: RowId, session: SessionDep, actor: OfficeActor, now: NowDep) -> dict[str, object]:
    """Publish: pushed to every member whose 责任区 covers the resident's home; ``reached`` counts them."""
    return _decide(session, actor, now, wish_id, None)


@router.post("/wishes/{wish_id}/decline")
def decline_wish(
    wish_id: RowId, body: Decline, session: SessionDep, actor: OfficeActor, now: NowDep
) -> dict[str, object]:
    """Not published; the resident is told ``reason``."""
    return _decide(session, actor, now, wish_id, body.reason)
