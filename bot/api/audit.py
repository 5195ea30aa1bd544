"""The audit log over the API: who did what to which object, newest first (admins only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator, BaseModel

from bot.api.deps import AdminActor, ReadSessionDep
from bot.api.limits import no_nul
from bot.api.paging import PageDep, fetch, listing
from models.audit_log import AuditFilter, action_label, audit_query, object_label, shown_actor, ticket_codes

NoNul = AfterValidator(no_nul)  # PostgreSQL stores no NUL: refused as 422, never a 500

router = APIRouter(tags=["audit"])


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: str  # as people read it: 「网格员刘志强」「社区办公室管理员」「系统（超时督办）」
    actor_person_id: int | None
    actor_tag: str  # the token behind it: 「grid_worker:刘志强#4」「config-token:ab12…」
    action: str
    action_label: str
    target: str
    object: str
    detail: dict[str, Any]


@router.get("/audit")
def list_audit(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    _admin: AdminActor,
    page: PageDep,
    actor: Annotated[str, Query(max_length=200, description="an actor's name as listed"), NoNul] = "",
    action: Annotated[str, Query(max_length=64, description="e.g. ticket.dispatch"), NoNul] = "",
    since: Annotated[date | None, Query(description="first Beijing day, included")] = None,
    until: Annotated[date | None, Query(description="last Beijing day, included")] = None,
    target: Annotated[
        str, Query(max_length=64, description="ticket:12, ticket, or a code such as R1012"), NoNul
    ] = "",
) -> dict[str, object]:
    """Newest first, filtered by actor, action, date range and object."""
    wanted = AuditFilter(actor=actor, action=action, since=since, until=until, target=target)
    rows, total = fetch(session, audit_query(wanted), page)
    codes = ticket_codes(session, rows)
    items = [
        AuditEntryPublic(
            id=row.id,
            at=row.at,
            actor=shown_actor(row),
            actor_person_id=row.actor_person_id,
            actor_tag=row.actor,
            action=row.action,
            action_label=action_label(row.action),
            target=row.target,
            object=object_label(row.target, codes),
            detail=row.detail,
        )
        for row in rows
    ]
    return listing(request, response, page, items, total)
