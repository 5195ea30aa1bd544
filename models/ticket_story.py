"""A ticket's timeline as people read it: who did what, in words, never internal keys or levels.

The one renderer of :class:`models.tickets.TicketEvent` rows, for chat progress replies, the
admin API, the console's ticket page and a resident's data export:
「网格员刘志强 转派给 李师傅」「王师傅 接单」「系统（超时督办） 超时升级至社区书记」.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.actors import SYSTEM, person_label
from models.people import Person
from models.sla import LADDER
from models.tickets import STATUS_LABEL, TicketEvent, TicketStatus, local_time, timeline

VERBS = {  # what the actor did; {target} is the person it went to
    "submit": "提交",
    "intake": "代居民登记",
    "dispatch": "派单给 {target}",
    "grab": "抢单",
    "accept": "接单",
    "start": "开始处理",
    "transfer": "转派给 {target}",
    "return": "退单",
    "resolve": "处理完成",
    "close": "结单",
    "auto_close": "自动结单",
    "cancel": "取消工单",
    "reopen": "反馈没修好，重新打开",
    "urge": "催单",
    "rate": "评价",
    "confirm_fixed": "确认问题已解决",
    "followup": "回访：问题解决了吗？",
    "follow": "关注此事",
    "escalate": "超时升级至{rung}",
    "mediation_note": "记录调解情况",
    "agreement": "达成调解协议",
    "pause": "暂停工单",
    "resume": "恢复办理",
    "force_complete": "强制完成",
    "callback": "电话回访",
}
RUNGS = LADDER  # the escalation ladder, by rung
_LEVELS = re.compile(r"^(\d+)→(\d+)$")
_RATING = re.compile(r"^([1-5])/([1-5])/([1-5])\s*(.*)$", re.S)
SILENT_NOTES = {"dispatch", "escalate", "auto_close", "followup"}  # their note is machine data


@dataclass(frozen=True)
class Step:
    """One line of the timeline: when, who, what they did (in words), the status after, a note."""

    at: datetime
    when: str
    who: str
    what: str
    status: str
    note: str
    actor_id: int | None

    @property
    def line(self) -> str:
        """「11月24日 09:30 网格员刘志强 转派给 李师傅（换人处理）」"""
        note = f"（{self.note}）" if self.note else ""
        return f"{self.when} {self.who} {self.what}{note}"


def _target(event: TicketEvent, people: dict[int, Person]) -> str:
    if event.target_id is not None:
        return person_label(people.get(event.target_id)) if event.target_id in people else "工作人员"
    old = event.note.removeprefix("→").split(" ", 1)[0]  # rows written before targets were stored
    return old or "工作人员"


def _note(event: TicketEvent) -> str:
    if event.action in SILENT_NOTES:
        return ""
    if event.action == "transfer" and event.note.startswith("→"):  # older rows: 「→李师傅 原因」
        return event.note.partition(" ")[2].strip()
    if event.action == "rate" and (m := _RATING.match(event.note)):
        comment = f"，{m.group(4).strip()}" if m.group(4).strip() else ""
        return f"总体{m.group(1)}分、速度{m.group(2)}分、态度{m.group(3)}分{comment}"
    return event.note


def _what(event: TicketEvent, people: dict[int, Person]) -> str:
    verb = VERBS.get(event.action, "更新了工单")
    if event.action == "escalate":
        levels = _LEVELS.match(event.note.strip())
        rung = RUNGS.get(int(levels.group(2)), "上级") if levels else "上级"
        return verb.format(rung=rung)
    if "{target}" in verb:
        return verb.format(target=_target(event, people))
    return verb


def who(event: TicketEvent, people: dict[int, Person], *, viewer_id: int | None = None) -> str:
    """The actor's name: 「您」 for the viewer, a person's label, a named token or job, else 「系统」."""
    if event.actor_id is not None:
        if event.actor_id == viewer_id:
            return "您"
        return person_label(people.get(event.actor_id)) if event.actor_id in people else "工作人员"
    return event.actor_label or SYSTEM


def _status(event: TicketEvent) -> str:
    if not event.to_status or event.to_status == event.from_status:
        return ""
    try:
        return STATUS_LABEL[TicketStatus(event.to_status)]
    except ValueError:
        return ""


def steps(session: Session, ticket_id: int, *, viewer_id: int | None = None) -> list[Step]:
    """The ticket's timeline, oldest first, in words."""
    return describe(session, timeline(session, ticket_id), viewer_id=viewer_id)


def describe(session: Session, events: list[TicketEvent], *, viewer_id: int | None = None) -> list[Step]:
    ids = {i for e in events for i in (e.actor_id, e.target_id) if i is not None}
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))} if ids else {}
    return [
        Step(
            at=e.at,
            when=local_time(e.at),
            who=who(e, people, viewer_id=viewer_id),  # type: ignore[arg-type]
            what=_what(e, people),  # type: ignore[arg-type]
            status=_status(e),
            note=_note(e),
            actor_id=e.actor_id,
        )
        for e in events
    ]
