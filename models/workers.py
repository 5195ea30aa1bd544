"""Who works tickets: building heads and grid workers by building, staff by skill, property leads.

A property lead (物业负责人) is a staff member with the skill 「物业负责人」; complaints about the
property company go to them and they are the third rung of the escalation ladder.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.community import Building
from models.people import Person, Role

PROPERTY_LEAD_SKILL = "物业负责人"
WORKER_ROLES = (Role.building_head, Role.grid_worker, Role.staff, Role.secretary, Role.admin)
ROLE_LABEL = {
    Role.building_head: "楼栋长",
    Role.grid_worker: "网格员",
    Role.staff: "物业",
    Role.secretary: "书记",
    Role.admin: "管理员",
}


def _by_role(session: Session, role: Role) -> list[Person]:
    return list(session.exec(select(Person).where(Person.role == role).order_by(col(Person.id))))


def building_heads(session: Session, *, building_id: int | None) -> list[Person]:
    if building_id is None:
        return []
    query = select(Person).where(Person.role == Role.building_head, Person.building_id == building_id)
    return list(session.exec(query.order_by(col(Person.id))))


def grid_workers(session: Session, *, building_id: int | None) -> list[Person]:
    building = session.get(Building, building_id) if building_id is not None else None
    if building is None or building.grid_id is None:
        return _by_role(session, Role.grid_worker)[:1]
    query = select(Person).where(Person.role == Role.grid_worker, Person.grid_id == building.grid_id)
    return list(session.exec(query.order_by(col(Person.id))))


def property_leads(session: Session) -> list[Person]:
    leads = [p for p in _by_role(session, Role.staff) if PROPERTY_LEAD_SKILL in (p.skills or [])]
    return leads or _by_role(session, Role.admin)[:1]


def secretaries(session: Session) -> list[Person]:
    return _by_role(session, Role.secretary)


def complaint_overseers(session: Session, *, building_id: int | None) -> list[Person]:
    """Who on the community side follows a complaint about the property (红色物业): the building's
    grid worker, else the secretary."""
    workers = grid_workers(session, building_id=building_id) if building_id is not None else []
    return workers or secretaries(session)


def staff_with_skill(session: Session, *, category: str) -> list[Person]:
    staff = [p for p in _by_role(session, Role.staff) if PROPERTY_LEAD_SKILL not in (p.skills or [])]
    skilled = [p for p in staff if category in (p.skills or [])]
    return skilled


def skill_gap(session: Session, *, person: Person, category: str) -> list[Person]:
    """Who has the skill ``category`` calls for when ``person`` (property staff) has not: a
    dispatch there deserves a word. Empty when they have it, or nobody does."""
    if person.role != Role.staff or not category or category in (person.skills or []):
        return []
    return staff_with_skill(session, category=category)


def is_worker(person: Person) -> bool:
    return person.role in WORKER_ROLES


def worker_by_name(session: Session, name: str) -> Person | None:
    """A worker by name, also 「李师傅」 or a surname match when there is only one."""
    name = name.strip()
    workers = [p for p in session.exec(select(Person).where(col(Person.role).in_(WORKER_ROLES)))]
    exact = [p for p in workers if p.name == name]
    if len(exact) == 1:
        return exact[0]
    loose = [p for p in workers if p.name and (p.name in name or name in p.name)]
    return loose[0] if len(loose) == 1 else None
