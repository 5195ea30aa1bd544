"""Who did something, as people read it: a person's label, and the actors that are not a token.

Every audit row and ticket event names its actor. API and console actors are
:class:`models.access.Actor` (a token or a console session); the others are a :class:`Someone`:
a scheduler job (``system("sla")`` → 「系统（超时督办）」), the command line, a resident acting on
their own data, a failed login. Both carry ``tag`` (stable, for machines), ``label`` (for people)
and ``person_id`` (when a person stands behind it).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.people import ERASED_LABEL, Person, Role

ROLE_WORD = {
    Role.building_head: "楼栋长",
    Role.grid_worker: "网格员",
    Role.secretary: "书记",
    Role.admin: "管理员",
}
SYSTEM = "系统"
JOBS = {  # scheduler jobs and automatic steps, as the timeline and the audit log name them
    "sla": "超时督办",
    "auto_close": "自动结单",
    "followup": "自动回访",
    "routing": "自动派单",
    "emergency": "紧急响应",
    "visits": "走访提醒",
    "notices": "定时公告",
}


@dataclass(frozen=True)
class Someone:
    """An actor that is not an API token or console session."""

    tag: str
    label: str
    person_id: int | None = None


def person_label(person: Person | None) -> str:
    """「网格员刘志强」「王师傅」「周书记」「居民王秀兰」; an erased person never by name."""
    if person is None:
        return SYSTEM
    if person.erased_at is not None:
        return ERASED_LABEL
    if person.role == Role.staff:
        return person.name or "物业人员"
    if person.role == Role.resident:
        return f"居民{person.name}" if person.name else "居民"
    word = ROLE_WORD.get(person.role, "")
    return person.name if word in person.name else f"{word}{person.name}"  # 「周书记」, not 「书记周书记」


def system(job: str) -> Someone:
    """A scheduler job or automatic step: 「系统（超时督办）」."""
    return Someone(tag=f"system:{job}", label=f"{SYSTEM}（{JOBS.get(job, job)}）")


def system_label(job: str) -> str:
    return system(job).label


CLI = Someone(tag="cli", label="命令行（服务器管理员）")


def self_service(person_id: int) -> Someone:
    """A resident acting on their own data from chat."""
    return Someone(tag=f"self:person#{person_id}", label="居民本人", person_id=person_id)


def login_attempt(client: str) -> Someone:
    return Someone(tag=f"console-login:{client}", label=f"控制台登录（{client}）")
