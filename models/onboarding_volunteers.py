"""Optional parts of the community import: ``[[activities]]``, ``[[rewards]]``, ``[[teams]]`` and
``[[visit_rotas]]``.

Natural keys: an activity with absolute times by (title, starts_at); one with times relative to
the import (``"+3d 09:00"``, see ``models.onboarding_dates``) by title and whether it is still
to come: re-importing keeps the existing instance until it has ended, then adds the next one at
the newly resolved times. A reward and a team by name, a visit rota by (elder, volunteer).
Re-importing updates descriptive fields but never capacity already taken, stock already
redeemed, points, or a rota's next due time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.activities import DEFAULT_DURATION, Activity, create_activity
from models.base import MAX_INT
from models.community import Building
from models.onboarding_dates import import_time, is_relative, time_problem
from models.people import Person
from models.rewards import Reward, RewardCategory, create_reward
from models.teams import Team, create_team
from models.visits import VisitRota, create_rota

DEFAULT_POINTS = 2
DEFAULT_EVERY_DAYS = 7


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


_AT_MOST = f"（不超过 {MAX_INT}）"


def _whole(value: object, *, low: int, high: int = MAX_INT) -> bool:
    """An integer (not a bool) from ``low`` to ``high``: the database's columns hold 32 bits."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def validate_volunteering(
    data: dict[str, Any], openids: set[str], buildings: set[str], *, now: datetime
) -> list[str]:
    problems: list[str] = []
    for i, entry in enumerate(data.get("activities", [])):
        where = f"activities[{i}]（{_text(entry.get('title')) or '无标题'}）"
        if not _text(entry.get("title")):
            problems.append(f"{where} 缺少 title")
        times: dict[str, datetime] = {}
        for key in ("starts_at", "ends_at", "signup_deadline"):
            value = entry.get(key)
            if value is None and key != "starts_at":
                continue
            problem = time_problem(where, key, value, now=now)
            if problem:
                problems.append(problem)
            else:
                times[key] = import_time(value, now=now)
        start = times.get("starts_at")
        if start and times.get("ends_at", start + DEFAULT_DURATION) <= start:
            problems.append(f"{where} 的 ends_at 需要晚于 starts_at")
        if start and times.get("signup_deadline", start) > start:
            problems.append(f"{where} 的 signup_deadline 不能晚于 starts_at")
        if not _whole(entry.get("capacity"), low=1):
            problems.append(f"{where} 的 capacity 需要是正整数{_AT_MOST}")
        if "points" in entry and not _whole(entry["points"], low=0):
            problems.append(f"{where} 的 points 需要是非负整数{_AT_MOST}")
        if entry.get("building") is not None and _text(entry["building"]).upper() not in buildings:
            problems.append(f"{where} 的楼栋 {entry['building']} 未定义")
        if entry.get("organiser") is not None and _text(entry["organiser"]) not in openids:
            problems.append(f"{where} 的组织者 {entry['organiser']} 不在 [[people]] 中")
    for i, entry in enumerate(data.get("rewards", [])):
        where = f"rewards[{i}]（{_text(entry.get('name')) or '无名'}）"
        if not _text(entry.get("name")):
            problems.append(f"{where} 缺少 name")
        if not _whole(entry.get("cost"), low=1):
            problems.append(f"{where} 的 cost 需要是正整数{_AT_MOST}")
        if not _whole(entry.get("stock"), low=0):
            problems.append(f"{where} 的 stock 需要是非负整数{_AT_MOST}")
        if _text(entry.get("category") or "goods") not in RewardCategory.__members__:
            problems.append(f"{where} 的 category 无效（可选 {', '.join(RewardCategory)}）")
    for i, entry in enumerate(data.get("teams", [])):
        if not _text(entry.get("name")):
            problems.append(f"teams[{i}] 缺少 name")
        if entry.get("leader") is not None and _text(entry["leader"]) not in openids:
            problems.append(f"teams[{i}] 的队长 {entry['leader']} 不在 [[people]] 中")
    for i, entry in enumerate(data.get("visit_rotas", [])):
        where = f"visit_rotas[{i}]"
        for key in ("elder", "volunteer"):
            if _text(entry.get(key)) not in openids:
                problems.append(f"{where} 的 {key} {entry.get(key)!r} 不在 [[people]] 中")
        if _text(entry.get("elder")) and _text(entry.get("elder")) == _text(entry.get("volunteer")):
            problems.append(f"{where} 的 volunteer 不能是老人本人")
        problem = time_problem(where, "first_due", entry.get("first_due"), now=now)
        if problem:
            problems.append(problem)
        elif import_time(entry.get("first_due"), now=now) < now:
            problems.append(f"{where} 的 first_due {entry.get('first_due')!s} 已经过去，第一次走访要在以后")
        every = entry.get("every_days", DEFAULT_EVERY_DAYS)
        if not _whole(every, low=1, high=366):
            problems.append(f"{where} 的 every_days 需要是 1 到 366 之间的整数（几天走访一次）")
    return problems


def import_volunteering(session: Session, *, data: dict[str, Any], now: datetime, count: Any) -> None:
    """Upsert activities, rewards and teams; ``count(kind, created)`` records what happened."""

    def person_id(openid: Any) -> int | None:
        if openid is None:
            return None
        return session.exec(select(Person.id).where(Person.openid == _text(openid))).first()

    for entry in data.get("activities", []):
        title = _text(entry["title"])
        starts_at = import_time(entry["starts_at"], now=now)
        ends_at = import_time(entry["ends_at"], now=now) if entry.get("ends_at") is not None else None
        deadline = entry.get("signup_deadline")
        existing = _existing_activity(
            session,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at or starts_at + DEFAULT_DURATION,
            relative=is_relative(entry["starts_at"]),
            now=now,
        )
        count("activity", existing is None)
        building_id = None
        if entry.get("building") is not None:
            number = _text(entry["building"]).upper()
            building_id = session.exec(select(Building.id).where(Building.number == number)).first()
        if existing is not None:
            existing.place, existing.kind = _text(entry.get("place")), _text(entry.get("kind"))
            existing.description = _text(entry.get("description"))
            existing.capacity = max(int(entry["capacity"]), existing.taken)
            session.add(existing)
            continue
        create_activity(
            session,
            title=title,
            kind=_text(entry.get("kind")),
            starts_at=starts_at,
            ends_at=ends_at,
            place=_text(entry.get("place")),
            capacity=int(entry["capacity"]),
            points=int(entry.get("points", DEFAULT_POINTS)),
            description=_text(entry.get("description")),
            building_id=building_id,
            signup_deadline=import_time(deadline, now=now) if deadline is not None else None,
            organiser_id=person_id(entry.get("organiser")),
            checkin_code=_text(entry.get("checkin_code")),
            now=now,
            tell_organiser=False,  # an import sets things up; it does not message people
        )
    for entry in data.get("rewards", []):
        name = _text(entry["name"])
        reward = session.exec(select(Reward).where(Reward.name == name)).first()
        count("reward", reward is None)
        category = RewardCategory(_text(entry.get("category") or "goods"))
        if reward is None:
            create_reward(
                session,
                name=name,
                cost=entry["cost"],
                stock=entry["stock"],
                category=category,
                place=_text(entry.get("place")),
                now=now,
            )
            continue
        reward.cost, reward.category, reward.place = entry["cost"], category, _text(entry.get("place"))
        session.add(reward)  # stock is left alone: it moves with redemptions and restocks
    for entry in data.get("teams", []):
        name = _text(entry["name"])
        team = session.exec(select(Team).where(Team.name == name)).first()
        count("team", team is None)
        if team is None:
            create_team(
                session,
                name=name,
                kind=_text(entry.get("kind")),
                leader_id=person_id(entry.get("leader")),
                now=now,
            )
    for entry in data.get("visit_rotas", []):
        elder_id, volunteer_id = person_id(entry["elder"]), person_id(entry["volunteer"])
        assert elder_id is not None and volunteer_id is not None  # validated
        known = session.exec(
            select(VisitRota.id).where(
                VisitRota.elder_id == elder_id, VisitRota.volunteer_id == volunteer_id, col(VisitRota.active)
            )
        ).first()
        count("visit_rota", known is None)
        create_rota(  # an active rota for the pair is returned as it is: its due time has moved on
            session,
            elder_id=elder_id,
            volunteer_id=volunteer_id,
            first_due_at=import_time(entry["first_due"], now=now),
            every_days=int(entry.get("every_days", DEFAULT_EVERY_DAYS)),
            now=now,
        )
    session.flush()


def _existing_activity(
    session: Session, *, title: str, starts_at: datetime, ends_at: datetime, relative: bool, now: datetime
) -> Activity | None:
    """The activity an entry describes: by (title, starts_at), or for relative times the latest
    one of that title on the same side of ``now`` (still to come, or over)."""
    query = select(Activity).where(Activity.title == title)
    if not relative:
        return session.exec(query.where(Activity.starts_at == starts_at)).first()
    side = col(Activity.ends_at) <= now if ends_at <= now else col(Activity.ends_at) > now
    return session.exec(query.where(side).order_by(col(Activity.starts_at).desc())).first()
