"""Reading the audit log: filters (actor, action, date range, object), newest first, in words.

Rows are written only by :func:`models.access.audit`; this module never writes. Dates are
Beijing calendar days, both ends included. The object filter takes a target as stored
(「ticket:12」), a kind alone (「ticket」) or a ticket code (「R1012」).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from models.access import AuditEntry
from models.base import LOCAL_TZ
from models.tickets import CODE, Ticket, parse_code

ACTIONS = {
    "console.login": "登录控制台",
    "console.logout": "退出控制台",
    "console.login_failed": "登录失败",
    "ticket.dispatch": "派单",
    "ticket.transfer": "转派工单",
    "ticket.close": "结单或取消工单",
    "ticket.pause": "暂停工单",
    "ticket.resume": "恢复工单",
    "ticket.force_complete": "强制完成工单",
    "ticket.callback": "登记回访",
    "ticket.conclude": "纠纷结案",
    "binding.approve": "通过房屋绑定",
    "binding.reject": "驳回房屋绑定",
    "residents.import": "导入住户名册",
    "residency.verify": "核实住户登记",
    "residency.reject": "住户登记不通过",
    "residency.unbind": "解除房屋绑定",
    "person.add": "添加工作人员",
    "person.deactivate": "停用工作人员",
    "token.create": "发放令牌",
    "token.revoke": "吊销令牌",
    "notice.create": "发布公告",
    "notice.cancel": "撤回公告",
    "activity.create": "创建活动",
    "activity.attendance": "登记活动签到",
    "activity.no_show": "登记活动缺席",
    "activity.edit": "修改活动名额或截止时间",
    "activity.cancel": "取消活动",
    "team.create": "创建志愿队",
    "visit_rota.create": "安排走访",
    "visit_rota.pause": "暂停走访安排",
    "visit_rota.resume": "恢复走访安排",
    "visit_rota.reassign": "更换走访志愿者",
    "visit.record": "登记走访",
    "care.register": "登记重点关爱对象",
    "care.update": "修改重点关爱对象",
    "care.withdraw": "移出重点关爱名单",
    "reward.create": "上架爱心屋物品",
    "reward.restock": "补充库存",
    "reward.edit": "修改爱心屋物品",
    "redemption.pickup": "核销兑换",
    "redemption.cancel": "取消兑换",
    "points.correct": "更正积分",
    "proposal.create": "创建议题",
    "proposal.publish": "发布议题",
    "proposal.paper_ballot": "登记纸质表决票",
    "proposal.close": "结束议题投票",
    "ledger.add": "记入三公开",
    "ledger.import": "导入三公开",
    "ledger.publish": "公开三公开",
    "knowledge.add": "新增知识条目",
    "knowledge.edit": "修改知识条目",
    "knowledge.upload": "上传知识库文件",
    "knowledge.answered": "补充知识库回答",
    "knowledge.dismiss": "忽略未答问题",
    "outbox.retry": "重发消息",
    "outbox.retry_all": "重发全部失败消息",
    "person.export": "导出个人信息",
    "person.erase": "删除个人信息",
    "person.erase.note": "删除个人信息（备注）",
}
OBJECTS = {
    "ticket": "工单",
    "notice": "公告",
    "activity": "活动",
    "reward": "爱心屋物品",
    "redemption": "兑换",
    "proposal": "议题",
    "ledger": "三公开",
    "knowledge": "知识条目",
    "question": "未答问题",
    "person": "人员",
    "binding_request": "绑定申请",
    "residency": "住户登记",
    "api_token": "令牌",
    "outbox_message": "推送消息",
    "team": "志愿队",
    "visit_rota": "走访安排",
    "roster": "住户名册",
    "console": "控制台",
}


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # an actor's name as shown (「网格员刘志强」)
    action: str = ""  # an action key (「ticket.dispatch」)
    since: date | None = None  # Beijing days, both included
    until: date | None = None
    target: str = ""  # 「ticket:12」, 「ticket」 or 「R1012」


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def target_of(text: str) -> str:
    """A ticket code becomes its stored target; anything else is taken as typed."""
    text = text.strip()
    if CODE.fullmatch(text.replace(" ", "")) and (ticket_id := parse_code(text)) is not None:
        return f"ticket:{ticket_id}"
    return text


def audit_query(wanted: AuditFilter) -> Select[Any]:
    """The matching rows, newest first."""
    query = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    if wanted.actor:
        query = query.where(
            or_(col(AuditEntry.actor_name) == wanted.actor, col(AuditEntry.actor) == wanted.actor)
        )
    if wanted.action:
        query = query.where(col(AuditEntry.action) == wanted.action)
    if wanted.since is not None:
        query = query.where(col(AuditEntry.at) >= _day_start(wanted.since))
    if wanted.until is not None:
        query = query.where(col(AuditEntry.at) < _day_start(wanted.until + timedelta(days=1)))
    if target := target_of(wanted.target):
        if ":" in target:
            query = query.where(col(AuditEntry.target) == target)
        else:
            query = query.where(col(AuditEntry.target).startswith(f"{target}:"))
    return query


def actor_names(session: Session) -> list[str]:
    """Everyone the log names, for the filter's choices."""
    rows = session.exec(select(AuditEntry.actor_name).distinct().order_by(col(AuditEntry.actor_name)))
    return [name for name in rows if name]


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def ticket_codes(session: Session, entries: list[AuditEntry]) -> dict[str, str]:
    """「ticket:12」 → 「R1012」 for the tickets these rows name."""
    ids = {int(e.target[7:]) for e in entries if e.target.startswith("ticket:") and e.target[7:].isdigit()}
    if not ids:
        return {}
    return {f"ticket:{t.id}": t.code for t in session.exec(select(Ticket).where(col(Ticket.id).in_(ids)))}


def object_label(target: str, codes: dict[str, str] | None = None) -> str:
    """「工单 R1012」「公告 3」「控制台」."""
    kind, _, ident = target.partition(":")
    ident = (codes or {}).get(target, ident)
    word = OBJECTS.get(kind, kind)
    return f"{word} {ident}".strip() if ident else word


def shown_actor(entry: AuditEntry) -> str:
    """The actor as people read it; rows from before names were kept show their tag."""
    return entry.actor_name or entry.actor
