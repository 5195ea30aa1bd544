"""The office's people and their console tokens: who works (楼栋长, 网格员, 物业, 书记, 管理员)
with their skills, grid and open work; adding a person, stopping one, and tokens issued, listed
(never the secret) and revoked.

Stopping a person (停用) makes them a resident again: every query that finds workers selects by
role, so a stopped person gets no more work, pushes for workers or escalations; their tokens are
revoked (their console sessions end) and their open tickets are counted for the office to hand
over. Adding them again (same openid) gives the role back. Every change is audited here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from models.access import ROLE_NAMES as TOKEN_ROLE_NAMES
from models.access import Actor, ApiRole, ApiToken, audit, hash_token, issue_token, revoke_token
from models.community import Building, Grid
from models.people import Person, Role
from models.teams import Team, TeamMember
from models.tickets import open_counts
from models.workers import ROLE_LABEL

STAFF_ROLES = (Role.building_head, Role.grid_worker, Role.staff, Role.secretary, Role.admin)
VOLUNTEERS = "volunteer"  # the roster's filter for members of a volunteer team, whatever their role
ROLE_CHOICES = {r.value: ROLE_LABEL[r] for r in STAFF_ROLES}
TOKEN_ROLES = {r.value: TOKEN_ROLE_NAMES[r] for r in ApiRole}


class StaffError(ValueError):
    """A change refused; ``field`` names the form field it is about ("" for the whole form)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def roster_query(role: str = "") -> Select[Any]:
    """The office's people (or one role, or ``volunteer``: members of a team), by role and name."""
    query = select(Person).where(col(Person.erased_at).is_(None)).order_by(col(Person.role), col(Person.id))
    if role == VOLUNTEERS:
        return query.where(col(Person.id).in_(select(TeamMember.person_id)))
    if role in ROLE_CHOICES:
        return query.where(Person.role == Role(role))
    return query.where(col(Person.role).in_(STAFF_ROLES))


def describe_people(session: Session, people: list[Person]) -> list[dict[str, Any]]:
    """Each person as the list shows them: role, skills, grid or building, teams, open work."""
    ids = [p.id for p in people if p.id is not None]
    loads = open_counts(session, ids)
    grids = {g.id: g.name for g in session.exec(select(Grid))}
    buildings = {b.id: b.number for b in session.exec(select(Building))}
    teams: dict[int, list[str]] = {}
    for person_id, name in session.exec(
        select(TeamMember.person_id, Team.name)
        .join(Team, col(Team.id) == TeamMember.team_id)
        .where(col(TeamMember.person_id).in_(ids))
    ):
        teams.setdefault(person_id, []).append(name)
    rows = []
    for p in people:
        where = []
        if p.grid_id in grids:
            where.append(grids[p.grid_id])
        if p.role == Role.building_head and p.building_id in buildings:
            where.append(f"{buildings[p.building_id]}栋")
        rows.append(
            {
                "id": p.id,
                "name": p.name or "（未留姓名）",
                "role": ROLE_LABEL.get(p.role, "居民"),
                "is_worker": p.role in STAFF_ROLES,
                "phone": p.phone,
                "skills": "、".join(p.skills or []),
                "where": "、".join(where),
                "teams": "、".join(teams.get(p.id, [])),  # type: ignore[arg-type]
                "load": loads.get(p.id, 0),  # type: ignore[arg-type]
            }
        )
    return rows


@dataclass
class NewPerson:
    """What the 添加人员 form gives."""

    name: str
    role: str
    phone: str = ""
    openid: str = ""
    wecom_userid: str = ""
    skills: list[str] = field(default_factory=list)
    grid_id: int | None = None
    building_id: int | None = None


def _check(session: Session, new: NewPerson) -> None:
    if not new.name.strip():
        raise StaffError("请填写姓名。", "name")
    if new.role not in ROLE_CHOICES:
        raise StaffError("请选择角色。", "role")
    if not (new.openid.strip() or new.wecom_userid.strip()):
        raise StaffError("请填写微信 openid 或企业微信账号，否则收不到派单。", "openid")
    if new.role == Role.grid_worker and (new.grid_id is None or session.get(Grid, new.grid_id) is None):
        raise StaffError("网格员需要选择网格。", "grid_id")
    if new.role == Role.building_head and (
        new.building_id is None or session.get(Building, new.building_id) is None
    ):
        raise StaffError("楼栋长需要选择楼栋。", "building_id")


def add_person(session: Session, *, new: NewPerson, actor: Actor, now: datetime) -> Person:
    """A new worker, or a known person (same openid or WeCom account) given the role."""
    _check(session, new)
    openid, wecom = new.openid.strip() or None, new.wecom_userid.strip() or None
    person = session.exec(select(Person).where(Person.openid == openid)).first() if openid else None
    by_wecom = session.exec(select(Person).where(Person.wecom_userid == wecom)).first() if wecom else None
    if person is not None and by_wecom is not None and person.id != by_wecom.id:
        raise StaffError("这个 openid 和企业微信账号属于两个不同的人。", "wecom_userid")
    person = person or by_wecom
    if person is not None and person.erased_at is not None:
        raise StaffError("这个账号的个人信息已删除，不能再用。", "openid")
    if person is not None and person.role in STAFF_ROLES:
        raise StaffError(f"{person.name or '这个账号'}已经是{ROLE_LABEL[person.role]}了。", "openid")
    created = person is None
    person = person or Person(openid=openid, created_at=now)
    person.wecom_userid = wecom or person.wecom_userid
    person.name, person.role = new.name.strip()[:40], Role(new.role)
    person.phone = new.phone.strip()[:20] or person.phone
    person.skills = [s.strip()[:20] for s in new.skills if s.strip()][:20]
    person.grid_id = new.grid_id if new.role == Role.grid_worker else person.grid_id
    person.building_id = new.building_id if new.role == Role.building_head else person.building_id
    session.add(person)
    session.flush()
    audit(
        session,
        actor=actor,
        action="person.add",
        now=now,
        target=f"person:{person.id}",
        role=new.role,
        new=created,
    )
    return person


@dataclass(frozen=True)
class Stopped:
    person: Person
    role: str  # the role they had, as people read it
    tokens: int  # tokens revoked
    open_tickets: int  # work still assigned to them, for the office to hand over


def stop_facts(session: Session, person: Person) -> tuple[int, int]:
    """(live tokens, open tickets) of a person: what stopping them touches."""
    tokens = session.exec(
        select(ApiToken.id).where(ApiToken.person_id == person.id, col(ApiToken.revoked_at).is_(None))
    ).all()
    return len(tokens), open_counts(session, [person.id]).get(person.id, 0)  # type: ignore[list-item]


def deactivate(session: Session, *, person_id: int, actor: Actor, now: datetime) -> Stopped:
    """Stop a worker: back to resident, tokens revoked; refuses oneself and the last admin."""
    person = session.get(Person, person_id)
    if person is None or person.role not in STAFF_ROLES or person.erased_at is not None:
        raise StaffError("没有这位工作人员，可能已经停用了。")
    if actor.person_id == person.id:
        raise StaffError("不能停用自己。")
    if person.role == Role.admin:
        others = session.exec(
            select(Person.id).where(Person.role == Role.admin, Person.id != person.id)
        ).all()
        if not others:
            raise StaffError("这是最后一位管理员，请先添加另一位管理员。")
    role = ROLE_LABEL[person.role]
    tokens = session.exec(
        select(ApiToken).where(ApiToken.person_id == person.id, col(ApiToken.revoked_at).is_(None))
    ).all()
    for token in tokens:
        revoke_token(session, token_id=token.id, now=now)  # type: ignore[arg-type]
    _, open_tickets = stop_facts(session, person)
    person.role = Role.resident
    session.add(person)
    audit(
        session,
        actor=actor,
        action="person.deactivate",
        now=now,
        target=f"person:{person.id}",
        role=role,
        tokens=len(tokens),
        open_tickets=open_tickets,
    )
    return Stopped(person, role, len(tokens), open_tickets)


def token_rows(session: Session) -> list[dict[str, Any]]:
    """Every issued token without its secret: who, role, when issued and revoked."""
    rows = session.exec(
        select(ApiToken, Person)
        .outerjoin(Person, col(Person.id) == ApiToken.person_id)
        .order_by(col(ApiToken.revoked_at).is_not(None), col(ApiToken.id).desc())
    )
    return [
        {
            "id": t.id,
            "name": t.name,
            "role": TOKEN_ROLE_NAMES[t.role],
            "person": (p.name or f"#{p.id}") if p else "",
            "created_at": t.created_at,
            "revoked_at": t.revoked_at,
        }
        for t, p in rows
    ]


def create_token(
    session: Session, *, name: str, role: str, person_id: int | None, actor: Actor, now: datetime
) -> tuple[int, str]:
    """Issue a token; (its id, the secret, to be shown once and never again)."""
    if not name.strip():
        raise StaffError("请填写使用人。", "name")
    if role not in TOKEN_ROLES:
        raise StaffError("请选择角色。", "role")
    person = session.get(Person, person_id) if person_id else None
    if person_id and (person is None or person.erased_at is not None):
        raise StaffError("没有这位人员。", "person_id")
    if role == ApiRole.grid_worker and (person is None or person.grid_id is None):
        raise StaffError("网格员的令牌要选一位有网格的人员。", "person_id")
    secret = issue_token(session, name=name.strip()[:40], role=ApiRole(role), now=now, person=person)
    session.flush()
    token_id = session.exec(select(ApiToken.id).where(ApiToken.token_hash == hash_token(secret))).one()
    audit(session, actor=actor, action="token.create", now=now, target=f"api_token:{token_id}", role=role)
    return int(token_id), secret  # type: ignore[arg-type]


def revoke(session: Session, *, token_id: int, actor: Actor, now: datetime) -> ApiToken:
    """Revoke a token (its console sessions end); refuses the one this actor is using."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise StaffError("没有这个令牌。")
    if token.revoked_at is not None:
        raise StaffError(f"令牌 {token.name} 已经吊销过了。")
    if actor.tag.endswith(f"#{token_id}") and not actor.tag.startswith("config-token"):
        raise StaffError("这是您正在使用的令牌，不能在这里吊销。")
    revoke_token(session, token_id=token_id, now=now)
    audit(session, actor=actor, action="token.revoke", now=now, target=f"api_token:{token_id}")
    return token
