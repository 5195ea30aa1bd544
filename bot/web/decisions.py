"""The questions asked before console actions that reach people (see ``bot.web.confirm``).

Each says how many and who: the applicant told of a binding decision, the residents and group
chats a notice would have reached, the building groups a month's 三公开 goes to.
"""

from __future__ import annotations

from fastapi import HTTPException, status
from sqlmodel import Session, col, select

from bot.web.common import local
from bot.web.confirm import Question, fingerprint
from models.audience import audience_from_json
from models.community import Building
from models.ledger_figures import compute
from models.notices import Notice, preview
from models.people import BindingRequest, Person
from models.residency import Residency
from models.residency_record import listing_row


def _person(person: Person | None) -> str:
    if person is None:
        return "（已不存在）"
    name = person.name or f"微信用户 {person.openid or ''}"[:24]
    return f"{name}，电话 {person.phone}" if person.phone else name


def binding_question(session: Session, *, request_id: int, approve: bool, note: str) -> Question:
    item = session.get(BindingRequest, request_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这条绑定申请，可能已经处理过了。")
    who = _person(session.get(Person, item.person_id))
    room = f"{item.building}栋{item.unit + '单元' if item.unit else ''}{item.room}"
    facts = [f"申请人：{who}", f"申请房屋：{room}", "申请人会在微信里收到结果（1 人）。"]
    facts.append(
        f"通过后 TA 会开始收到 {item.building}栋 的公告和三公开。"
        if approve
        else f"驳回理由：{note or '（未填写）'}"
    )
    return Question(
        title="通过绑定申请" if approve else "驳回绑定申请",
        question=f"{'通过' if approve else '驳回'}申请 #{request_id}：{room}？",
        button="确认通过" if approve else "确认驳回",
        expected=fingerprint("binding", request_id, approve, note, item.status),
        facts=facts,
        danger=not approve,
    )


def claim_question(session: Session, *, residency_id: int, verify: bool, note: str) -> Question:
    residency = session.get(Residency, residency_id)
    if residency is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这条住户登记，可能已经处理过了。")
    row = listing_row(session, residency)
    who = row["name"] or "（未留姓名）"
    owner = row["verified_owner"]
    facts = [
        f"登记人：{who}{'，电话 ' + row['phone'] if row['phone'] else ''}（{row['relationship_name']}）",
        f"房屋：{row['room']}；已核实的业主：{(owner['name'] or '（未留姓名）') if owner else '无'}",
        "登记人会在微信里收到结果（1 人）。",
    ]
    if not verify:
        facts.append(f"不通过的原因：{note or '（未填写）'}")
    return Question(
        title="核实住户登记" if verify else "住户登记不通过",
        question=f"{'核实通过' if verify else '不通过'}住户登记 {row['code']}：{who}，{row['room']}？",
        button="确认核实通过" if verify else "确认不通过",
        expected=fingerprint("residency", residency_id, verify, note, row["status"]),
        facts=facts,
        danger=not verify,
    )


def cancel_question(session: Session, *, notice_id: int) -> Question:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这条公告。")
    audience = audience_from_json(notice.audience)
    reach = preview(session, audience=notice.audience, category=notice.category)
    return Question(
        title="撤销公告",
        question=f"撤销公告「{notice.title}」？撤销后不会再发出。",
        button="确认撤销",
        expected=fingerprint("notice.cancel", notice_id, notice.status, notice.publish_at),
        facts=[
            f"原定 {local(notice.publish_at)} 发给：{audience.label()}",
            f"原本会收到：{reach['groups']} 个楼栋群、{reach['residents']} 位居民",
        ],
        danger=True,
    )


def ledger_question(session: Session, *, month: str) -> Question:
    buildings = [b for b in session.exec(select(Building.number).order_by(col(Building.id)))]
    figures = compute(session, period=month, yearly=False)
    return Question(
        title="推送三公开",
        question=f"把 {month} 的收支推送到 {len(buildings)} 个楼栋群？",
        button=f"确认推送到 {len(buildings)} 个楼栋群",
        expected=fingerprint("ledger.publish", month, figures.snapshot(), buildings),
        facts=[
            f"楼栋群：{'、'.join(f'{n}栋' for n in buildings) or '（没有楼栋）'}",
            "每个楼栋群收到全小区汇总和本楼栋的明细；群里的居民都能看到。",
            "推送后这个月的记录只能更正，不能再改；与上次公布相比没有变化时不会再次推送。",
        ],
    )
