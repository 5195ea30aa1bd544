"""Verifying residents in chat, for building heads (their building) and admins (anywhere):
「待核实」 lists open claims, 「核实 B12 通过」 (or 「核实 B12 通过 租户」) and
「核实 B12 不通过 原因」 decide one; the resident is told either way."""

from __future__ import annotations

import re

from sqlmodel import col, select

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from models.actors import Someone
from models.base import by_id
from models.community import Room
from models.people import Role
from models.residency import (
    RELATIONSHIP_BY_NAME,
    RELATIONSHIP_NAMES,
    Relationship,
    Residency,
    ResidencyError,
    ResidencyStatus,
)
from models.residency_decisions import decide, may_decide
from models.residency_record import listing_row

router = Router("verify")

TEXTS = {
    "not_allowed": "只有本楼的楼栋长或管理员可以核实住户登记。",
    "no_such": "没有找到住户登记 {code}，请核对编号。",
    "approved": "已核实 {code}：{name}为 {room} 的{relationship}，已通知本人。",
    "refused": "已记录 {code} 未通过核实，已通知本人。",
    "anonymous": "提醒：此人没有留姓名和电话，请确认已当面核对过本人；如有误请联系管理员解除。",
    "none": "目前没有等待您核实的住户登记。",
    "head": "等待核实的住户登记：",
    "item": "{code} {name}，电话 {phone}，登记为 {room} 的{relationship}；已核实的业主：{owner}",
    "how": "回复「核实 编号 通过」或「核实 编号 不通过 原因」；身份不同可写「核实 编号 通过 租户」。",
}

_DECIDE = re.compile(r"\s*核实\s*[Bb](\d+)\s*(不通过|未通过|通过)\s*(.*?)\s*[。！!]?\s*")
_DECIDERS = (Role.building_head, Role.admin)


def _who(ctx: Context) -> str:
    title = "楼栋长" if ctx.person.role == Role.building_head else "管理员"
    return f"{title}{ctx.person.name}"


@router.command(r"\s*核实\s*[Bb]\d+\s*(不通过|未通过|通过).*", staff=True)
def decide_claim(ctx: Context) -> list[Reply]:
    match = _DECIDE.fullmatch(ctx.text)
    if match is None or ctx.person.role not in _DECIDERS:
        return [Text(TEXTS["not_allowed"])]
    code = f"B{match.group(1)}"
    residency = by_id(ctx.session, Residency, match.group(1))
    if residency is None:
        return [Text(TEXTS["no_such"].format(code=code))]
    if not may_decide(ctx.session, ctx.person, residency):
        return [Text(TEXTS["not_allowed"])]
    approve, rest = match.group(2) == "通过", match.group(3).strip()
    relationship = RELATIONSHIP_BY_NAME.get(rest) if approve else None
    try:
        decided = decide(
            ctx.session,
            residency_id=residency.id,  # type: ignore[arg-type]
            approve=approve,
            by=_who(ctx),
            actor=Someone(tag=f"person:{ctx.person.id}", label=_who(ctx), person_id=ctx.person.id),
            now=ctx.now,
            relationship=Relationship(relationship) if relationship else None,
            note="" if approve else rest,
        )
    except ResidencyError as refused:
        return [Text(str(refused))]
    if not approve:
        return [Text(TEXTS["refused"].format(code=code))]
    row = listing_row(ctx.session, decided)
    approved = TEXTS["approved"].format(
        code=code,
        name=row["name"] or "该住户",
        room=row["room"],
        relationship=RELATIONSHIP_NAMES[decided.relationship],
    )
    unknown = "" if row["name"] and row["phone"] else TEXTS["anonymous"]
    return [Text(approved + unknown)]


@router.command(r"\s*(待核实|待审核|核实列表|住户核实)[？?。]?\s*", staff=True)
@router.command(r".{0,6}(要核实的|需要核实|要核实吗|待核实的|等着核实|等核实).{0,6}", roles=_DECIDERS)
def pending_claims(ctx: Context) -> list[Reply]:
    if ctx.person.role not in _DECIDERS:
        return [Text(TEXTS["not_allowed"])]
    query = (
        select(Residency)
        .join(Room, col(Room.id) == Residency.room_id)
        .where(Residency.status == ResidencyStatus.claimed)
        .order_by(col(Residency.id))
    )
    if ctx.person.role == Role.building_head:
        query = query.where(Room.building_id == ctx.person.building_id)
    rows = [listing_row(ctx.session, r) for r in ctx.session.exec(query.limit(20))]
    if not rows:
        return [Text(TEXTS["none"])]
    lines = [TEXTS["head"]]
    for row in rows:
        owner = row["verified_owner"]
        lines.append(
            TEXTS["item"].format(
                code=row["code"],
                name=row["name"] or "（未留姓名）",
                phone=row["phone"] or "未留",
                room=row["room"],
                relationship=row["relationship_name"],
                owner=(owner["name"] or "（未留姓名）") if owner else "无",
            )
        )
    return [Text("\n".join(lines)), Text(TEXTS["how"])]
