"""Console pages of the party-led model: 微心愿 to review (approve, or decline with a reason, each
asked once with whom it reaches) and 党组织与党员 (the tree, each member's 责任区 and service)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, func, select

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, back, page
from bot.web.confirm import Confirmed, Question, ask, fingerprint
from bot.web.fields import Text
from models import wishes
from models.access import audit
from models.party import LEVEL_NAMES, areas_of, org_tree
from models.people import Person
from models.points import balance
from models.wishes import STATUS_NAMES, Wish, WishStatus

router = APIRouter(prefix="/console", include_in_schema=False)


def _name(person: Person | None) -> str:
    return (person.name if person else "") or "居民"


def _row(session: Session, wish: Wish) -> dict[str, object]:
    resident = session.get(Person, wish.resident_id)
    claimant = session.get(Person, wish.claimant_id) if wish.claimant_id else None
    return {
        "id": wish.id,
        "code": wish.code,
        "who": wishes.place_of(session, wish) + _name(resident),
        "phone": resident.phone if resident else "",
        "text": wish.text,
        "status": wish.status.value,
        "status_name": STATUS_NAMES[wish.status],
        "claimant": _name(claimant) if claimant else "",
        "note": wish.note,
        "reason": wish.reason,
        "created_at": wish.created_at,
        "reach": len(wishes.reachable_members(session, wish)),
    }


@router.get("/wishes", response_class=HTMLResponse)
def wish_list(request: Request, session: SessionDep, actor: OfficeDep) -> HTMLResponse:
    with session.begin():
        rows = [_row(session, w) for w in wishes.listing(session)]
        counts = dict(session.exec(select(Wish.status, func.count()).group_by(col(Wish.status))).all())
    pending = [r for r in rows if r["status"] == WishStatus.pending]
    others = [r for r in rows if r["status"] != WishStatus.pending]
    summary = [(STATUS_NAMES[s], counts.get(s, 0)) for s in WishStatus]
    return page(request, "wishes.html", actor, session, pending=pending, others=others, summary=summary)


def wish_question(session: Session, *, wish_id: int, approve: bool, reason: str) -> Question:
    wish = session.get(Wish, wish_id)
    if wish is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="没有这个微心愿。")
    row = _row(session, wish)
    facts = [f"{row['who']}：{wish.text}"]
    if approve:
        members = [p.name or "党员" for _, p in wishes.reachable_members(session, wish)]
        facts.append(
            f"会推送给 {len(members)} 位责任区党员：{'、'.join(members)}。先认领的一位负责办理。"
            if members
            else "这户所在的楼栋还没有党员的责任区：发布后没有人会收到，请先在党员名单里安排责任区。"
        )
        facts.append(f"{_name(session.get(Person, wish.resident_id))}会在微信里收到「已经发布」。")
    else:
        facts.append(f"不通过的原因：{reason or '（未填写，居民会看到「社区会另外安排」）'}")
        facts.append(f"{_name(session.get(Person, wish.resident_id))}会在微信里收到原因（1 人）。")
    return Question(
        title="发布微心愿" if approve else "微心愿不通过",
        question=f"{'发布' if approve else '不通过'}微心愿 {wish.code}？",
        button="确认发布" if approve else "确认不通过",
        expected=fingerprint("wish", wish_id, approve, reason, wish.status),
        facts=facts,
        danger=not approve,
    )


@router.post("/wishes/{wish_id}/{decision}")
def decide_wish(
    request: Request,
    wish_id: int,
    decision: str,
    session: SessionDep,
    actor: OfficeDep,
    now: NowDep,
    reason: Text = "",
    confirmed: Confirmed = "",
) -> Response:
    if decision not in ("approve", "decline"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    approve = decision == "approve"
    with session.begin():
        question = wish_question(session, wish_id=wish_id, approve=approve, reason=reason)
    if confirmed != question.expected:
        action = f"/console/wishes/{wish_id}/{decision}"
        return ask(
            request,
            actor,
            session,
            question,
            action=action,
            back_to="/console/wishes",
            fields={"reason": reason},
        )
    with session.begin():
        wish = session.get(Wish, wish_id)
        assert wish is not None
        by = actor.label or actor.name
        if approve:
            outcome = wishes.approve(session, wish=wish, by=by, now=now)
        else:
            outcome = wishes.decline(session, wish=wish, by=by, reason=reason, now=now)
        if outcome.ok:
            audit(
                session,
                actor=actor,
                action=f"wish.{decision}",
                now=now,
                target=f"wish:{wish_id}",
                note=reason,
            )
        code, state = wish.code, STATUS_NAMES[wish.status]
    if not outcome.ok:
        return back("/console/wishes", error=f"{code} 现在{state}，没有改动。")
    if approve:
        return back("/console/wishes", ok=f"{code} 已发布，推送给了 {outcome.reached} 位责任区党员。")
    return back("/console/wishes", ok=f"{code} 没有通过，已告诉居民原因。")


@router.get("/party", response_class=HTMLResponse)
def party(request: Request, session: SessionDep, actor: OfficeDep) -> HTMLResponse:
    with session.begin():
        done = dict(
            session.exec(
                select(Wish.claimant_id, func.count())
                .where(col(Wish.status) == WishStatus.confirmed)
                .group_by(col(Wish.claimant_id))
            ).all()
        )
        nodes = [
            {
                "name": node.org.name,
                "level": LEVEL_NAMES[node.org.level],
                "depth": node.depth,
                "members": [
                    {
                        "name": person.name or "（未留姓名）",
                        "phone": person.phone,
                        "post": member.post,
                        "service_unit": member.service_unit,
                        "joined": member.joined_on.isoformat() if member.joined_on else "",
                        "areas": "、".join(areas_of(session, member.id)) or "—",  # type: ignore[arg-type]
                        "skills": "、".join(member.skills),
                        "availability": member.availability,
                        "wishes": done.get(person.id, 0),
                        "points": balance(session, person_id=person.id),  # type: ignore[arg-type]
                    }
                    for member, person in node.members
                ],
            }
            for node in org_tree(session)
        ]
    total = sum(len(n["members"]) for n in nodes)  # type: ignore[arg-type]
    return page(request, "party.html", actor, session, nodes=nodes, total=total)
