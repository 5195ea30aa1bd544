"""Who answers for a person's building: the building head, the grid worker, staff on duty."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.community import Building
from models.people import Person, Role, home_of


def responders(session: Session, *, person: Person, roles: tuple[Role, ...]) -> list[Person]:
    """People in ``roles`` responsible for ``person``'s building (staff and secretaries: all of them)."""
    home = home_of(session, person)
    building: Building | None = home[0] if home else None
    found: list[Person] = []
    for role in roles:
        query = select(Person).where(Person.role == role).order_by(col(Person.id))
        if role == Role.building_head:
            if building is None:
                continue
            query = query.where(Person.building_id == building.id)
        elif role == Role.grid_worker:
            if building is None or building.grid_id is None:
                continue
            query = query.where(Person.grid_id == building.grid_id)
        found.extend(p for p in session.exec(query) if p.id != person.id)
    return found
