"""Volunteer teams (红色管家, 巡逻队, ...): residents join as volunteers; membership is one row each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col

from models.base import utc_field


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=60)
    kind: str = ""  # the kind of activity it mostly does: 治安巡逻, 助老, ...
    leader_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = utc_field()


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_member"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    joined_at: datetime = utc_field()


def create_team(
    session: Session, *, name: str, now: datetime, kind: str = "", leader_id: int | None = None
) -> Team:
    name = name.strip()
    if not name:
        raise ValueError("a team needs a name")
    if session.execute(select(Team.id).where(col(Team.name) == name)).first():
        raise ValueError(f"a team named {name!r} already exists")
    team = Team(name=name, kind=kind, leader_id=leader_id, created_at=now)
    session.add(team)
    session.flush()
    if leader_id is not None:
        join_team(session, team_id=team.id, person_id=leader_id, now=now)  # type: ignore[arg-type]
    return team


def teams(session: Session) -> list[Team]:
    return list(session.execute(select(Team).order_by(col(Team.id))).scalars())


def find_team(session: Session, *, text: str) -> Team | None:
    """The team whose name the text mentions (「加入巡逻队」 → 巡逻队), if exactly one."""
    found = [t for t in teams(session) if t.name in text]
    if len(found) > 1:  # 「红色管家巡逻队」 mentions both 红色管家 and 巡逻队: the longest name wins
        found.sort(key=lambda t: len(t.name), reverse=True)
    return found[0] if found else None


def join_team(session: Session, *, team_id: int, person_id: int, now: datetime) -> bool:
    """True if the person joined now, False if they were already a member."""
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(TeamMember).values(team_id=team_id, person_id=person_id, joined_at=now)
    statement = statement.on_conflict_do_nothing(index_elements=["team_id", "person_id"])
    return session.connection().execute(statement.returning(TeamMember.id)).first() is not None


def teams_of(session: Session, *, person_id: int) -> list[Team]:
    query = (
        select(Team)
        .join(TeamMember, col(TeamMember.team_id) == Team.id)
        .where(col(TeamMember.person_id) == person_id)
        .order_by(col(Team.id))
    )
    return list(session.execute(query).scalars())
