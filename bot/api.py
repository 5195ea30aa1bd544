"""Admin API (``/api/v1``, Bearer token): binding approvals for now; grows with later issues."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlmodel import Session, select

from models.people import BindingRequest, BindingStatus, decide_binding

bearer = HTTPBearer(auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def get_now(request: Request) -> datetime:
    return request.app.state.clock.now()


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]


class BindingRequestPublic(BaseModel):
    id: int
    person_id: int
    building: str
    unit: str
    room: str
    room_id: int | None
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str
    note: str


class BindingDecision(BaseModel):
    room_id: int | None = None
    note: str = ""


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The acting admin (a short token tag for the audit trail), or 401."""
    token = credentials.credentials if credentials else ""
    for known in request.app.state.settings.admin.tokens:
        if known and hmac.compare_digest(token.encode(), known.encode()):
            return f"token:{known[:4]}…"
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="missing or unknown bearer token",
        headers={"WWW-Authenticate": "Bearer"},
    )


AdminDep = Annotated[str, Depends(require_admin)]


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["admin"])

    @router.get("/binding-requests")
    def list_binding_requests(
        session: SessionDep,
        _admin: AdminDep,
        status_: Annotated[BindingStatus | None, Query(alias="status")] = None,
    ) -> dict[str, object]:
        query = select(BindingRequest).order_by(BindingRequest.id)  # type: ignore[arg-type]
        if status_ is not None:
            query = query.where(BindingRequest.status == status_)
        items = [BindingRequestPublic.model_validate(r, from_attributes=True) for r in session.exec(query)]
        return {"items": items, "total": len(items)}

    def _decide(
        request_id: int, approve: bool, body: BindingDecision, session: Session, actor: str, now: datetime
    ):
        try:
            with session.begin():
                decided = decide_binding(
                    session,
                    request_id=request_id,
                    approve=approve,
                    decided_by=actor,
                    now=now,
                    room_id=body.room_id,
                    note=body.note,
                )
        except LookupError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
        except ValueError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
        return BindingRequestPublic.model_validate(decided, from_attributes=True)

    @router.post("/binding-requests/{request_id}/approve")
    def approve(
        request_id: int, body: BindingDecision, session: SessionDep, admin: AdminDep, now: NowDep
    ) -> BindingRequestPublic:
        return _decide(request_id, True, body, session, admin, now)

    @router.post("/binding-requests/{request_id}/reject")
    def reject(
        request_id: int, body: BindingDecision, session: SessionDep, admin: AdminDep, now: NowDep
    ) -> BindingRequestPublic:
        return _decide(request_id, False, body, session, admin, now)

    return router
