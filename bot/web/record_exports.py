"""More .xlsx exports from the console (issue #18), written like ``bot.web.exports``: the residents
of a 居民查询 search, one activity's sign-up sheet, a month's 三公开 ledger and one proposal's tally
with its anonymised per-room detail.

Each takes exactly what its page shows, and the same roles may download it as may open the page.
Exports with names and phones are written to the audit log.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response
from sqlmodel import Session, col, select

from bot.api.deps import NowDep, SessionDep
from bot.web.activities import SIGNUP_NAMES
from bot.web.common import DeskDep, OfficeDep, local
from bot.web.exports import add_sheet, download, new_book
from bot.web.ledger import entry_rows
from bot.web.proposal_view import summary
from models.access import Actor, audit
from models.activities import Activity
from models.activity_desk import counts, signup_sheet
from models.ballots import anonymised_detail
from models.base import by_id, month_of
from models.ledger import MONTH_PATTERN
from models.ledger_figures import compute
from models.proposals import Proposal
from models.residency import OPEN, RELATIONSHIP_NAMES, Residency, ResidencyStatus, room_of
from models.resident_directory import search_query

router = APIRouter(prefix="/console", include_in_schema=False)
MONEY = "#,##0.00"
RESIDENT_COLUMNS = ["姓名", "电话", "房屋", "关系", "是否核实", "绑定时间"]
SIGNUP_COLUMNS = ["姓名", "电话", "楼栋", "状态", "报名时间", "签到时间"]


def _audited(session: Session, actor: Actor, now: datetime, action: str, **details: Any) -> None:
    with session.begin():  # who took the residents' names and phones home
        audit(session, actor=actor, action=action, now=now, **details)


def resident_rows(session: Session, q: str) -> list[list[Any]]:
    """One row per open home of each resident the search finds; a resident without one gets a row
    saying 未绑定."""
    people = [p for p, _, _ in session.exec(search_query(q))]  # type: ignore[call-overload]
    ids = [p.id for p in people]
    homes: dict[int, list[Residency]] = {}
    for r in session.exec(
        select(Residency)
        .where(col(Residency.person_id).in_(ids), col(Residency.status).in_(list(OPEN)))
        .order_by(col(Residency.id))
    ):
        homes.setdefault(r.person_id, []).append(r)
    rows: list[list[Any]] = []
    for p in people:
        name, phone = p.name or "（未留姓名）", p.phone or "未留"
        if not homes.get(p.id):
            rows.append([name, phone, "未绑定", "", "", ""])
        for r in homes.get(p.id, []):
            verified = r.status == ResidencyStatus.verified
            rows.append(
                [
                    name,
                    phone,
                    room_of(session, r.room_id)[2],
                    RELATIONSHIP_NAMES[r.relationship],
                    "已核实" if verified else "待核实",
                    local(r.verified_at or r.claimed_at, "%Y-%m-%d %H:%M"),
                ]
            )
    return rows


@router.get("/residents/export.xlsx")
def export_residents(
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    q: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    rows = resident_rows(session, q)
    book = new_book()
    add_sheet(book, "居民", RESIDENT_COLUMNS, rows)
    _audited(session, actor, now, "residents.export", count=len(rows), query=q)
    return download(book, f"居民-{now:%Y%m%d}.xlsx")


@router.get("/activities/{activity_id}/signups.xlsx")
def export_signups(session: SessionDep, actor: DeskDep, now: NowDep, activity_id: int) -> Response:
    activity = by_id(session, Activity, activity_id)
    if activity is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个活动，可能地址有误。")
    everyone = max(1, sum(counts(session, activity_id=activity_id).values()))
    sheet, _ = signup_sheet(session, activity_id=activity_id, page=1, size=everyone)
    rows = [
        [
            r.name,
            r.phone or "",
            r.building,
            SIGNUP_NAMES[r.signup.status],
            local(r.signup.queued_at, "%Y-%m-%d %H:%M"),
            local(r.signup.attended_at, "%Y-%m-%d %H:%M"),
        ]
        for r in sheet
    ]
    book = new_book()
    add_sheet(book, "报名名单", SIGNUP_COLUMNS, rows)
    _audited(
        session, actor, now, "activity.signups.export", target=f"activity:{activity_id}", count=len(rows)
    )
    return download(book, f"报名-{activity.title[:20]}.xlsx")


def _yuan(fen: int) -> float:
    return fen / 100


@router.get("/ledger/export.xlsx")
def export_ledger(session: SessionDep, actor: OfficeDep, now: NowDep, month: str = "") -> Response:
    month = month if re.fullmatch(MONTH_PATTERN, month) else month_of(now)
    figures = compute(session, period=month)
    labels = figures.labels
    book = new_book()
    add_sheet(
        book,
        "汇总",
        ["账目", "期初结余（元）", "收入（元）", "支出（元）", "期末结余（元）"],
        [
            [a.name, *(_yuan(f) for f in (a.opening, a.total.income, a.total.expense, a.closing))]
            for a in figures.accounts
        ],
    )
    scopes = []
    for a in figures.accounts:
        scopes.append([a.name, "全小区公共部分", _yuan(a.community.income), _yuan(a.community.expense)])
        for b, flow in sorted(a.buildings.items(), key=lambda kv: labels.get(kv[0], "")):
            scopes.append([a.name, labels.get(b, str(b)), _yuan(flow.income), _yuan(flow.expense)])
    add_sheet(book, "各楼栋", ["账目", "范围", "收入（元）", "支出（元）"], scopes)
    add_sheet(
        book,
        "明细",
        ["编号", "账目", "收/支", "项目", "金额（元）", "说明", "范围", "更正"],
        [list(row[:8]) for row in entry_rows(session, month, money=_yuan)],
    )
    for title, columns in (("汇总", "BCDE"), ("各楼栋", "CD"), ("明细", "E")):
        for letter in columns:
            for cell in book[title][letter][1:]:
                cell.number_format = MONEY
    return download(book, f"三公开-{month}.xlsx")


@router.get("/proposals/{proposal_id}/export.xlsx")
def export_proposal(session: SessionDep, actor: OfficeDep, now: NowDep, proposal_id: int) -> Response:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个议题。")
    p = summary(session, proposal, now)
    t = p["tally"]
    book = new_book()
    facts = [
        ["议题", f"{p['code']}「{p['title']}」"],
        ["表决事项", p["matter"]],
        ["表决范围", p["scope"]],
        ["投票时间", f"{p['opens']} 至 {p['close']}"],
        ["通过条件", f"{p['threshold']}（民法典第二百七十八条）"],
        ["结果", p["verdict"] if p["phase"] == "closed" else "尚未结束"],
        ["说明", t["reason"]],
    ]
    add_sheet(book, "结果", ["项目", "内容"], facts)
    add_sheet(
        book,
        "计票",
        ["", "专有面积（㎡）", "业主人数"],
        [
            ["表决范围内", t["total_area"], t["total_owners"]],
            ["参与表决", t["voted_area"], t["voted_owners"]],
            ["同意", t["agree_area"], t["agree_owners"]],
        ],
    )
    for row in book["计票"].iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "0.00"
    add_sheet(
        book,
        "通过条件",
        ["要求", "实际", "条件", "是否达到"],
        [[what, figure, bar, "达到" if met else "未达到"] for what, figure, bar, met in p["checks"]],
    )
    add_sheet(
        book,
        "分户明细",
        ["房屋", "专有面积（㎡）", "意见", "核实"],
        [
            [d["room"], d["area"], d["choice"], d["verification"]]
            for d in anonymised_detail(session, proposal)
        ],
    )
    return download(book, f"表决-{p['code']}.xlsx")
