"""The outbox as the office reads it: pushes that failed (dead letters), that wait to be tried
again, and that a rate limit holds back; why, in Chinese; and sending them again.

``models.outbox`` keeps the delivery state machine; this module only lists rows, words their
reasons and moves failed or waiting rows to due-now with compare-and-set updates.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from models.community import Building
from models.outbox import OutboxMessage, OutboxStatus, is_status, load, retry_dead
from models.people import ERASED_LABEL, Person

VIEWS = {"dead": "发送失败", "retrying": "等待重试", "held": "限流暂缓"}
KINDS = {
    "ticket": "工单",
    "binding": "房屋绑定",
    "vote": "议事表决",
    "evaluation": "服务评议",
    "volunteer": "志愿活动",
    "emergency": "紧急情况",
    "visit": "走访",
    "notice": "公告",
    "ledger": "三公开",
    "report": "报表",
    "reply": "回复",
    "text": "文字消息",
    "privacy": "个人信息",
    "handoff": "转人工",
    "event": "活动",
    "reminder": "提醒",
}
_PENDING = is_status(OutboxStatus.pending)


def _view(view: str, now: datetime) -> Any:
    retrying = and_(_PENDING, OutboxMessage.last_error != "")
    held = and_(_PENDING, OutboxMessage.last_error == "", col(OutboxMessage.next_attempt_at) > now)
    dead = is_status(OutboxStatus.dead)
    return {"dead": dead, "retrying": retrying, "held": held}.get(view, or_(dead, retrying, held))


def problems_query(*, view: str = "", kind: str = "", now: datetime) -> Select[Any]:
    """Failed, retrying and held-back pushes (or one of these), newest first; ``kind`` narrows."""
    query = select(OutboxMessage).where(_view(view, now)).order_by(col(OutboxMessage.id).desc())
    return query.where(OutboxMessage.kind == kind) if kind else query


def counts(session: Session, *, now: datetime) -> dict[str, int]:
    """How many rows each view holds."""
    return {
        view: int(session.execute(select(func.count()).where(_view(view, now))).scalar_one())
        for view in VIEWS
    }


def kind_choices(session: Session, *, now: datetime) -> dict[str, str]:
    """The kinds among problem rows, with their Chinese names, for the filter."""
    found = session.exec(select(OutboxMessage.kind).where(_view("", now)).distinct())
    return {k: kind_label(k) for k in sorted(found)}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, "其他消息")


_CODE = re.compile(r"errcode (-?\d+)")
_GAVE_UP = re.compile(r"^gave up after (\d+) attempts: (.*)$", re.S)
_REASONS = (  # (words in last_error, what people read), first match wins
    ("erased their personal data", "对方已删除个人信息，不再给 TA 推送。"),
    ("unfollowed", "对方已取消关注公众号。"),
    ("neither an openid nor a WeCom userid", "对方没有微信账号（电话登记的居民）。"),
    ("has no address for", "对方没有这个渠道的账号。"),
    ("no template message configured", "没有配置模板消息，超过 48 小时的通知发不出去。"),
    ("is not configured", "公众号或企业微信的发送设置还没配置。"),
    ("not found", "收件人已不存在。"),
    ("unknown channel", "发送渠道设置有误。"),
    ("abandoned by a worker", "发送进程多次中断。"),
    ("no answer in time", "微信没有及时回应，可能已经送达。"),
    ("timed out", "连接微信超时。"),
    ("after one token refresh", "微信的访问凭证无效，刷新后仍被拒绝。"),
    ("no access_token", "取不到微信的访问凭证。"),
)
_CODES = {
    "45015": "超过 48 小时客服消息时限：对方需先给公众号发消息。",
    "45047": "超过 48 小时客服消息时限：对方需先给公众号发消息。",
    "43004": "对方没有关注公众号。",
    "40003": "对方的微信账号不对。",
    "45009": "微信接口调用次数已达上限。",
    "-1": "微信系统繁忙。",
}


def reason(error: str) -> str:
    """Why a push failed, as a short Chinese sentence (the raw text stays in ``last_error``)."""
    if not error:
        return ""
    if gave_up := _GAVE_UP.match(error):
        return f"试了 {gave_up.group(1)} 次仍失败：{reason(gave_up.group(2))}"
    if code := _CODE.search(error):
        return _CODES.get(code.group(1), f"微信拒绝了这条消息（错误码 {code.group(1)}）。")
    for words, said in _REASONS:
        if words in error:
            return said
    if status := re.search(r"HTTP (\d{3})", error):
        return f"发送服务出错（HTTP {status.group(1)}）。"
    return "发送出错，技术信息见下方。"


def recipients(session: Session, rows: list[OutboxMessage]) -> dict[int, str]:
    """Row id → who it goes to: a person's name, or a building's group chat."""
    people = {
        p.id: p for p in session.exec(select(Person).where(col(Person.id).in_({r.person_id for r in rows})))
    }
    buildings = {
        b.id: b.number
        for b in session.exec(select(Building).where(col(Building.id).in_({r.building_id for r in rows})))
    }
    found = {}
    for row in rows:
        if row.person_id is not None:
            person = people.get(row.person_id)
            found[row.id] = (
                ERASED_LABEL if person is None or person.erased_at else (person.name or f"居民 #{person.id}")
            )
        else:
            found[row.id] = f"{buildings.get(row.building_id, '?')}栋楼栋群"
    return found  # type: ignore[return-value]


def state_label(row: OutboxMessage, now: datetime) -> str:
    if row.status == OutboxStatus.dead:
        return VIEWS["dead"]
    if row.status == OutboxStatus.pending and row.last_error:
        return VIEWS["retrying"]
    if row.status == OutboxStatus.pending and row.next_attempt_at > now:
        return VIEWS["held"]
    return {"pending": "排队中", "sending": "发送中", "sent": "已发送"}.get(row.status.value, "")


class NotRetryable(ValueError):
    """The row cannot be sent again now; the message is a Chinese sentence."""


def retry_one(session: Session, *, message_id: int, now: datetime) -> OutboxMessage:
    """A failed row: pending again with a fresh attempt budget; a waiting one: due now."""
    message = load(session, message_id=message_id)
    if message is None:
        raise LookupError(f"没有第 {message_id} 条消息。")
    if message.status == OutboxStatus.dead:
        return retry_dead(session, message_id=message_id, now=now)
    if message.status == OutboxStatus.pending and message.last_error:
        done = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, _PENDING, OutboxMessage.last_error != "")
            .values(next_attempt_at=now)
        )
        if done.rowcount == 1:  # type: ignore[attr-defined]
            reloaded = load(session, message_id=message_id)
            assert reloaded is not None
            return reloaded
    state = {"sent": "已经发出", "sending": "正在发送", "pending": "排队等发送"}.get(message.status.value, "")
    raise NotRetryable(f"第 {message_id} 条消息{state or '状态已变'}，不用重发。")


def dead_facts(session: Session, *, kind: str = "") -> tuple[int, int, int]:
    """Failed rows (of ``kind``): (rows, people, building groups) a retry of all would reach."""
    query = select(
        func.count(),
        func.count(func.distinct(OutboxMessage.person_id)),
        func.count(func.distinct(OutboxMessage.building_id)),
    ).where(is_status(OutboxStatus.dead))
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    rows, people, groups = session.execute(query).one()
    return int(rows), int(people), int(groups)


def retry_failed(session: Session, *, now: datetime, kind: str = "") -> int:
    """Every failed row (of ``kind``) pending again, due now; how many."""
    statement = (
        update(OutboxMessage)
        .where(is_status(OutboxStatus.dead))
        .values(status=OutboxStatus.pending, attempts=0, next_attempt_at=now, claimed_by="")
    )
    if kind:
        statement = statement.where(OutboxMessage.kind == kind)
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
