"""Admin API dependencies: the database session, the injected clock, the acting admin."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from bot.db import write_gate

bearer = HTTPBearer(auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    """A session whose transactions the endpoint opens with ``session.begin()`` when it writes."""
    engine = request.app.state.engine
    with write_gate(engine), Session(engine, expire_on_commit=False) as session:
        yield session


def get_now(request: Request) -> datetime:
    return request.app.state.clock.now()


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


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]
AdminDep = Annotated[str, Depends(require_admin)]
