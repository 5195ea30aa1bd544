"""Who may use the admin API: role-bearing tokens (stored hashed) and the audit log of changes.

Roles: admin (everything), secretary (read everything, mediate), staff (tickets, pickups),
grid_worker (their own grid only). Bootstrap admin tokens may also come from the config.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, Session, SQLModel, col, select

from models.actors import Someone, person_label
from models.base import enum_field, json_field, utc_field
from models.community import Building
from models.console_sessions import revoke_token_sessions
from models.people import Person


class ApiRole(StrEnum):
    admin = "admin"
    secretary = "secretary"
    staff = "staff"
    grid_worker = "grid_worker"


ROLE_NAMES = {
    ApiRole.admin: "管理员",
    ApiRole.secretary: "书记",
    ApiRole.staff: "物业",
    ApiRole.grid_worker: "网格员",
}


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    name: str
    role: ApiRole = enum_field(ApiRole, ApiRole.staff)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(nullable=True)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(index=True)
    actor: str  # e.g. "admin:吴小燕#3" or "config-token:ab12"
    actor_name: str = Field(default="", max_length=120, index=True)  # as people read it: 「网格员刘志强」
    actor_person_id: int | None = Field(default=None, index=True)  # the person behind the token, if any
    action: str = Field(index=True)  # e.g. "binding.approve"
    target: str = ""  # e.g. "binding_request:7"
    detail: dict[str, Any] = json_field()


@dataclass(frozen=True)
class Actor:
    """The caller of the admin API, with the buildings they may see (None = all).

    ``label`` is who they are as people read it: the token's person (「网格员刘志强」), or the
    config's ``[admin] token_name`` for a config-file token."""

    role: ApiRole
    name: str
    tag: str
    person_id: int | None = None
    grid_id: int | None = None
    building_ids: frozenset[int] | None = field(default=None)
    label: str = ""

    def sees_building(self, building_id: int | None) -> bool:
        return self.building_ids is None or building_id in self.building_ids


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, *, name: str, role: ApiRole, now: datetime, person: Person | None = None
) -> str:
    """Create a token; the plain value is returned once and never stored."""
    if role == ApiRole.grid_worker and (person is None or person.grid_id is None):
        raise ValueError("a grid worker's token needs a person with a grid")
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=hash_token(token),
            name=name,
            role=role,
            person_id=person.id if person else None,
            created_at=now,
        )
    )
    return token


def revoke_token(session: Session, *, token_id: int, now: datetime) -> None:
    """Revoke a token and end the console sessions opened with it."""
    record = session.get(ApiToken, token_id)
    if record is None:
        raise LookupError(f"token {token_id} not found")
    record.revoked_at = now
    session.add(record)
    revoke_token_sessions(session, token_id=token_id, now=now)


def actor_for_token(session: Session, token: str) -> Actor | None:
    return actor_for_token_hash(session, hash_token(token))


def token_id_for_hash(session: Session, token_hash: str) -> int | None:
    return session.exec(select(ApiToken.id).where(ApiToken.token_hash == token_hash)).first()


def actor_for_token_hash(session: Session, token_hash: str) -> Actor | None:
    """The actor of an issued, unrevoked token, found by its hash (console sessions keep only that)."""
    record = session.exec(
        select(ApiToken).where(ApiToken.token_hash == token_hash, col(ApiToken.revoked_at).is_(None))
    ).first()
    if record is None:
        return None
    person = session.get(Person, record.person_id) if record.person_id else None
    grid_id = person.grid_id if person else None
    buildings = None
    if record.role == ApiRole.grid_worker:
        ids = session.exec(select(Building.id).where(Building.grid_id == grid_id)).all()
        buildings = frozenset(i for i in ids if i is not None)
    return Actor(
        role=record.role,
        name=record.name,
        tag=f"{record.role.value}:{record.name}#{record.id}",
        person_id=record.person_id,
        grid_id=grid_id,
        building_ids=buildings,
        label=person_label(person) if person else f"{ROLE_NAMES[record.role]}{record.name}",
    )


def config_actor(known: str, *, name: str) -> Actor:
    """The actor of a config-file admin token, named by ``[admin] token_name``."""
    return Actor(role=ApiRole.admin, name=name, tag=f"config-token:{known[:4]}…", label=name)


def audit(
    session: Session,
    *,
    actor: Actor | Someone,
    action: str,
    now: datetime,
    target: str = "",
    **detail: Any,
) -> None:
    """Record who changed what, in the same transaction as the change: the one way into the log."""
    session.add(
        AuditEntry(
            at=now,
            actor=actor.tag,
            actor_name=(actor.label or getattr(actor, "name", "") or actor.tag)[:120],
            actor_person_id=actor.person_id,
            action=action,
            target=target,
            detail=detail,
        )
    )
