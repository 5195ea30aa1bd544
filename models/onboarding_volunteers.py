"""Optional parts of the community import: ``[[activities]]``, ``[[rewards]]`` and ``[[teams]]``.

Natural keys: an activity by (title, starts_at), a reward and a team by name. Re-importing
updates descriptive fields but never capacity already taken, stock already redeemed or points.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from models.activities import Activity, create_activity
from models.community import Building
from models.people import Person
from models.rewards import Reward, RewardCategory, create_reward
from models.teams import Team, create_team

DEFAULT_POINTS = 2


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def validate_volunteering(data: dict[str, Any], openids: set[str], buildings: set[str]) -> list[str]:
    problems: list[str] = []
    for i, entry in enumerate(data.get("activities", [])):
        where = f"activities[{i}]（{_text(entry.get('title')) or '无标题'}）"
        if not _text(entry.get("title")):
            problems.append(f"{where} 缺少 title")
        for key in ("starts_at", "ends_at", "signup_deadline"):
            value = entry.get(key)
            if value is None and key != "starts_at":
                continue
            if not isinstance(value, datetime) or value.tzinfo is None:
                problems.append(f"{where} 的 {key} 需要带时区的时间，例如 2026-11-28T09:00:00+08:00")
        if not isinstance(entry.get("capacity"), int) or entry["capacity"] < 1:
            problems.append(f"{where} 的 capacity 需要是正整数")
        if "points" in entry and (not isinstance(entry["points"], int) or entry["points"] < 0):
            problems.append(f"{where} 的 points 需要是非负整数")
        if entry.get("building") is not None and _text(entry["building"]).upper() not in buildings:
            problems.append(f"{where} 的楼栋 {entry['building']} 未定义")
        if entry.get("organiser") is not None and _text(entry["organiser"]) not in openids:
            problems.append(f"{where} 的组织者 {entry['organiser']} 不在 [[people]] 中")
    for i, entry in enumerate(data.get("rewards", [])):
        where = f"rewards[{i}]（{_text(entry.get('name')) or '无名'}）"
        if not _text(entry.get("name")):
            problems.append(f"{where} 缺少 name")
        if not isinstance(entry.get("cost"), int) or entry["cost"] < 1:
            problems.append(f"{where} 的 cost 需要是正整数")
        if not isinstance(entry.get("stock"), int) or entry["stock"] < 0:
            problems.append(f"{where} 的 stock 需要是非负整数")
        if _text(entry.get("category") or "goods") not in RewardCategory.__members__:
            problems.append(f"{where} 的 category 无效（可选 {', '.join(RewardCategory)}）")
    for i, entry in enumerate(data.get("teams", [])):
        if not _text(entry.get("name")):
            problems.append(f"teams[{i}] 缺少 name")
        if entry.get("leader") is not None and _text(entry["leader"]) not in openids:
            problems.append(f"teams[{i}] 的队长 {entry['leader']} 不在 [[people]] 中")
    return problems


def import_volunteering(session: Session, *, data: dict[str, Any], now: datetime, count: Any) -> None:
    """Upsert activities, rewards and teams; ``count(kind, created)`` records what happened."""

    def person_id(openid: Any) -> int | None:
        if openid is None:
            return None
        return session.exec(select(Person.id).where(Person.openid == _text(openid))).first()

    for entry in data.get("activities", []):
        title, starts_at = _text(entry["title"]), entry["starts_at"]
        existing = session.exec(
            select(Activity).where(Activity.title == title, Activity.starts_at == starts_at)
        ).first()
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
            ends_at=entry.get("ends_at"),
            place=_text(entry.get("place")),
            capacity=int(entry["capacity"]),
            points=int(entry.get("points", DEFAULT_POINTS)),
            description=_text(entry.get("description")),
            building_id=building_id,
            signup_deadline=entry.get("signup_deadline"),
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
    session.flush()
