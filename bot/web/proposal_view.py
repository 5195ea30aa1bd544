"""How the console shows a proposal: its phase, the Art. 278 bars met or not, and the vote record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.api.proposals import ballot_record
from bot.web.common import local
from models.proposals import MATTERS, Ballot, Proposal, current_tally
from models.tally import SPECIAL_MATTERS

PHASES = {
    "discussion": "讨论中",
    "voting": "投票中",
    "counting": "计票中",
    "closed": "已结束",
    "cancelled": "已取消",
    "pending_review": "待发布",
}


def _percent(value: object) -> str:
    return f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def threshold(matter: int) -> str:
    """The Art. 278 bar a matter must clear, in words."""
    bar = "四分之三以上" if matter in SPECIAL_MATTERS else "过半数"
    return f"参与：面积和人数均三分之二以上；同意：参与面积和参与人数均{bar}"


def scope_label(scope: dict[str, list[str]]) -> str:
    if scope.get("buildings"):
        return "、".join(f"{b}栋" for b in scope["buildings"])
    if scope.get("units"):
        return "、".join(f"{u.replace('-', '栋')}单元" for u in scope["units"])
    return "全小区"


def checks(tally: dict[str, Any], matter: int) -> list[tuple[str, str, str, bool]]:
    """Each Art. 278 bar: what it is, the figure, the bar, whether it was met."""
    special = matter in SPECIAL_MATTERS
    need = "≥ 75%" if special else "> 50%"
    quorum_area = tally["area_participation"] >= 2 / 3 - 1e-12
    quorum_heads = tally["head_participation"] >= 2 / 3 - 1e-12
    if special:
        area_ok, head_ok = tally["area_approval"] >= 0.75, tally["head_approval"] >= 0.75
    else:
        area_ok, head_ok = tally["area_approval"] > 0.5, tally["head_approval"] > 0.5
    return [
        ("参与表决的专有面积", _percent(tally["area_participation"]), "≥ 2/3", quorum_area),
        ("参与表决的业主人数", _percent(tally["head_participation"]), "≥ 2/3", quorum_heads),
        ("同意的面积（占参与面积）", _percent(tally["area_approval"]), need, area_ok),
        ("同意的人数（占参与人数）", _percent(tally["head_approval"]), need, head_ok),
    ]


def summary(session: Session, proposal: Proposal, now: datetime) -> dict[str, Any]:
    tally = proposal.result or current_tally(session, proposal).as_json()
    phase = proposal.phase(now)
    return {
        "id": proposal.id,
        "code": proposal.code,
        "title": proposal.title,
        "body": proposal.body,
        "matter": f"第{proposal.matter}项 {MATTERS[proposal.matter]}",
        "threshold": threshold(proposal.matter),
        "scope": scope_label(proposal.scope),
        "phase": phase,
        "phase_name": PHASES.get(phase, phase),
        "opens": local(proposal.votes_open_at, "%Y-%m-%d %H:%M"),
        "close": local(proposal.votes_close_at, "%Y-%m-%d %H:%M"),
        "closed_at": local(proposal.closed_at, "%Y-%m-%d %H:%M"),
        "tally": tally,
        "checks": checks(tally, proposal.matter),
        "participation": f"{_percent(tally['area_participation'])} / {_percent(tally['head_participation'])}",
        "approval": f"{_percent(tally['area_approval'])} / {_percent(tally['head_approval'])}",
        "verdict": ("通过" if tally["passed"] else "未通过") if phase == "closed" else "—",
    }


def vote_record(session: Session, proposal: Proposal) -> list[dict[str, str]]:
    """The vote record as the API gives it (room, choice, the verification behind each ballot)."""
    found = session.exec(select(Ballot).where(Ballot.proposal_id == proposal.id).order_by(col(Ballot.id)))
    rows = [ballot_record(session, ballot) for ballot in found]
    return [
        {
            "room": str(r["room"]),
            "choice": str(r["choice_name"]),
            "channel": "纸质票" if r["channel"] == "paper" else "微信",
            "cast_at": local(datetime.fromisoformat(str(r["cast_at"]))),
            "verified_by": str(r["verified_by"]),
        }
        for r in rows
    ]
