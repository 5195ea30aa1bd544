"""Admin API dependencies: the database sessions, the injected clock, and who is calling.

``ReadSessionDep`` is for endpoints that only read: its transactions are deferred (read-only on
SQLite) and never take the write gate, so chat never waits for a listing. ``SessionDep`` reads
the same way and takes the gate only inside ``session.begin()``, for that short transaction.

``ActorDep`` is any valid token; ``require(ApiRole.admin, ...)`` narrows to roles (403 for the
others); ``AdminDep`` is the admin's audit tag, for endpoints only admins use. ``in_scope`` keeps a grid
worker to their grid's buildings. The full role matrix is in the README ("Admin API roles").
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from bot.db import GatedSession, reader
from models.access import (
    Actor,
    ApiRole,
    actor_for_token,
    actor_for_token_hash,
    config_actor,
    hash_token,
)
from models.people import Person, person_by_openid

bearer = HTTPBearer(auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    """A session whose transactions the endpoint opens with ``session.begin()`` when it writes:
    the write gate is held for that transaction only, never while the request reads."""
    with GatedSession(request.app.state.engine) as session:
        yield session


def get_read_session(request: Request) -> Iterator[Session]:
    """A session for reading only: no write lock, no write gate."""
    with Session(reader(request.app.state.engine), expire_on_commit=False) as session:
        yield session


def get_now(request: Request) -> datetime:
    return request.app.state.clock.now()


def _config_actor(request: Request, known: str) -> Actor:
    return config_actor(known, name=request.app.state.settings.admin.token_name)


def token_actor(request: Request, token: str) -> Actor | None:
    """The actor a token stands for: a config admin token, or a token issued with ``hgj token``."""
    for known in request.app.state.settings.admin.tokens:
        if known and hmac.compare_digest(token.encode(), known.encode()):
            return _config_actor(request, known)
    if not token:
        return None
    with Session(reader(request.app.state.engine)) as session:
        return actor_for_token(session, token)


def token_hash_actor(request: Request, session: Session, token_hash: str) -> Actor | None:
    """The same for a token known only by its hash (a console session's): None once it is revoked
    or, for a config token, no longer in the config."""
    for known in request.app.state.settings.admin.tokens:
        if known and hmac.compare_digest(hash_token(known), token_hash):
            return _config_actor(request, known)
    return actor_for_token_hash(session, token_hash)


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    actor = token_actor(request, credentials.credentials if credentials else "")
    if actor is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or unknown bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


def require(*roles: ApiRole) -> Callable[[Actor], Actor]:
    """A dependency admitting only ``roles`` (403 names the roles that may)."""

    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in roles:
            allowed = ", ".join(role.value for role in roles)
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail=f"needs role {allowed}; you are {actor.role.value}"
            )
        return actor

    return check


def require_admin(actor: Annotated[Actor, Depends(require(ApiRole.admin))]) -> str:
    """The acting admin's audit tag."""
    return actor.tag


def person_or_404(session: Session, openid: str) -> Person:
    """The person with this openid, or a 404 that names it."""
    person = person_by_openid(session, openid)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no person with openid {openid}")
    return person


SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
NowDep = Annotated[datetime, Depends(get_now)]
ActorDep = Annotated[Actor, Depends(current_actor)]
AdminActor = Annotated[Actor, Depends(require(ApiRole.admin))]
AdminDep = Annotated[str, Depends(require_admin)]


def in_scope(actor: Actor, building_id: int | None, what: str) -> None:
    """403 when a grid worker reaches for something outside their grid's buildings."""
    if not actor.sees_building(building_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"{what} is outside your grid")


Everyone = Annotated[Actor, Depends(current_actor)]
OfficeActor = Annotated[Actor, Depends(require(ApiRole.admin, ApiRole.secretary))]
DeskActor = Annotated[Actor, Depends(require(ApiRole.admin, ApiRole.secretary, ApiRole.staff))]
TicketActor = Annotated[
    Actor, Depends(require(ApiRole.admin, ApiRole.secretary, ApiRole.staff, ApiRole.grid_worker))
]
