"""A person's data on request at the office: export it, or erase it (admins only, audited).

The same services as the chat commands 「导出我的信息」「删除我的信息」 (``models.personal_data``,
``models.erasure``), for a resident who asks in person or in writing. Once erased, an openid is
no longer known at all: a second erase of it answers 404, as for someone never seen.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from bot.api.deps import AdminActor, NowDep, SessionDep, person_or_404
from bot.api.limits import Input, Key
from bot.db import lock_keys
from models.access import audit
from models.erasure import ErasureRefused, erase_person
from models.personal_data import export_person, summary

router = APIRouter(tags=["personal data"])


class ErasureRequest(Input):
    note: Annotated[str, Field(max_length=200, description="e.g. the written request's reference")] = ""


@router.get("/people/{openid}/export")
def export(openid: Key, session: SessionDep, admin: AdminActor, now: NowDep) -> dict[str, Any]:
    """Everything held about this person (the same as the resident's own export link), with a summary."""
    person = person_or_404(session, openid[:64])
    data = export_person(session, person, now=now)  # a read: chat does not wait for it
    with session.begin():
        audit(session, actor=admin, action="person.export", now=now, target=f"person:{person.id}", via="api")
    return {"summary": summary(data), **data}


@router.post("/people/{openid}/erase")
async def erase(
    openid: Key, session: SessionDep, admin: AdminActor, now: NowDep, body: ErasureRequest | None = None
) -> dict[str, Any]:
    """Erase this person's personal data; tickets, ballots and the points ledger stay, anonymised.

    409 for office roles (change their role first). The answer lists what the office has to
    arrange now (a new building head, a visit rota without volunteer, open work assigned to them).
    """
    note = body.note if body else ""

    def run() -> dict[str, Any]:
        with session.begin():
            # Wait for any message of theirs being handled right now (PostgreSQL), then look.
            lock_keys(session, [f"{channel}:{openid[:64]}" for channel in ("mp", "console")])
            person = person_or_404(session, openid[:64])
            try:
                report = erase_person(session, person=person, now=now, by=admin)
            except ErasureRefused as exc:
                raise HTTPException(
                    status.HTTP_409_CONFLICT,
                    detail=f"{exc.reason}: a {person.role.value} is managed by the office; change the role first",
                ) from exc
            if note:
                audit(
                    session,
                    actor=admin,
                    action="person.erase.note",
                    now=now,
                    target=f"person:{person.id}",
                    note=note,
                )
        return report.as_json()

    return await run_in_threadpool(run)
