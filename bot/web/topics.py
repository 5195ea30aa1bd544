"""Console page of 三级议事: each topic's tier and state with its meeting records, and the 整改清单
with owners, due dates and the overdue ones marked. Read-only: meetings are recorded through the
API (``bot.api.deliberation``), items closed by their owners in chat or through the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from bot.api.deps import NowDep, SessionDep
from bot.web.common import OfficeDep, page
from models import topics
from models.people import Person
from models.topics import STATUS_NAMES, TIER_NAMES, ItemStatus, Topic, TopicStatus

router = APIRouter(prefix="/console", include_in_schema=False)


def _topic_row(session: Session, topic: Topic) -> dict[str, object]:
    return {
        "code": topic.code,
        "title": topic.title,
        "tier": TIER_NAMES[topic.tier],
        "status": STATUS_NAMES[topic.status],
        "raisers": len(topics.raisers(session, topic)),
        "created_at": topic.created_at,
        "meetings": [
            f"{TIER_NAMES[m.tier]} {m.held_on:%m-%d}：{m.decision}"
            for m in topics.meetings_of(session, topic)
        ],
    }


@router.get("/topics", response_class=HTMLResponse)
def topic_list(request: Request, session: SessionDep, actor: OfficeDep, now: NowDep) -> HTMLResponse:
    with session.begin():
        found = topics.listing(session)
        rows = [_topic_row(session, t) for t in found]
        codes = {t.id: t.code for t in found}
        items = [
            {
                "code": i.code,
                "topic": codes.get(i.topic_id, f"Y{i.topic_id}"),
                "text": i.text,
                "owner": ((owner := session.get(Person, i.owner_id)) and owner.name) or "—",
                "due": f"{i.due_on:%Y-%m-%d}",
                "done": i.status == ItemStatus.done,
                "overdue": i.overdue(now),
                "note": i.note,
            }
            for i in topics.items_of(session)
        ]
    summary = [(STATUS_NAMES[s], sum(1 for t in found if t.status == s)) for s in TopicStatus]
    late = sum(1 for i in items if i["overdue"])
    return page(request, "topics.html", actor, session, rows=rows, items=items, summary=summary, late=late)
