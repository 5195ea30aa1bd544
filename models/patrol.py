"""A finding on patrol (巡查发现…) is filed by what it is about:

- welfare (someone sleeping in the stairwell, an elder who looks unwell): a 关怀探视 task for the
  community side (the building head, else the grid worker, else the secretary), never a repair;
- order (strangers handing out leaflets, a quarrel, dogs off the lead, e-bikes blocking the
  stairwell): a dispute-type task, which the community mediates;
- anything else is about the place itself (lights, clutter, leaks): a repair, routed as any.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from models.community import Building
from models.dispatch import dispatch
from models.people import Person
from models.routing import open_ticket
from models.sla import TicketRules, deadlines, limit_hours
from models.tickets import Ticket, TicketKind, create_ticket
from models.workers import building_heads, grid_workers, secretaries

WELFARE_CATEGORY = "关怀探视"
ORDER_CATEGORY = "秩序"
_WELFARE = re.compile(
    r"老人|老太|老大爷|老大娘|大爷|大妈|奶奶|爷爷|独居|孤寡|残疾|孕妇|小孩|孩子|儿童"
    r"|(有|一个|个)人.{0,6}(睡|躺|坐|倒|蹲)|睡在|躺在|倒在|晕倒|昏倒|摔倒|跌倒|起不来"
    r"|不舒服|脸色|身体|生病|病了|发烧|咳嗽|喘|神志|醉酒|喝醉|醉汉|流浪|乞讨|哭|走失|迷路|没人照顾"
)
_ORDER = re.compile(
    r"陌生人|外来人员|可疑|闲杂|发传单|传单|小广告|推销|上门推销|散发|贴广告"
    r"|吵架|争吵|打架|斗殴|喧哗|吵闹|噪音|扰民|大声|跳广场舞|遛狗|狗没拴|不牵绳|占用|占道|群租|偷|小偷"
    r"|电动车|电瓶车|飞线|私拉电线|(楼道|通道|消防通道|安全出口).{0,6}(堵|挡)"  # 消防通道: owners move them
)


class Subject(StrEnum):
    welfare = "welfare"
    order = "order"
    facility = "facility"


def subject_of(text: str) -> Subject:
    """What a finding is about: people's welfare, order among people, or the place itself."""
    if _WELFARE.search(text):
        return Subject.welfare
    if _ORDER.search(text):
        return Subject.order
    return Subject.facility


def file_finding(
    session: Session,
    *,
    rules: TicketRules,
    reporter: Person,
    building: Building,
    place: str,
    spot: str,
    category: str,
    what: str,
    now: datetime,
) -> tuple[Subject, Ticket]:
    """File a patrol finding at ``place`` as the task its subject calls for."""
    subject = subject_of(what)
    description = ("巡查发现：" + what.strip())[:500]
    where = {"building_id": building.id, "spot": spot, "place": place, "description": description}
    if subject == Subject.facility:
        kind, fields = TicketKind.repair, {"category": category or "其他"}
        return subject, open_ticket(
            session, rules=rules, kind=kind, reporter=reporter, now=now, **fields, **where
        )
    if subject == Subject.order:
        fields = {"category": ORDER_CATEGORY, "other_party": ""}
        ticket = open_ticket(
            session, rules=rules, kind=TicketKind.dispute, reporter=reporter, now=now, **fields, **where
        )
        return subject, ticket
    hours = limit_hours(rules, kind=TicketKind.repair, category=WELFARE_CATEGORY)
    ticket = create_ticket(
        session,
        kind=TicketKind.repair,
        reporter_id=reporter.id,  # type: ignore[arg-type]
        now=now,
        category=WELFARE_CATEGORY,
        mode="assign",
        **where,  # type: ignore[arg-type]
        **deadlines(rules, hours=hours, start=now),  # type: ignore[arg-type]
    )
    carer = _carer(session, building_id=building.id, reporter=reporter)
    if carer is not None:
        dispatch(session, ticket=ticket, person=carer, actor_id=None, now=now)
    return subject, ticket


def _carer(session: Session, *, building_id: int | None, reporter: Person) -> Person | None:
    """Who looks in on people here: the building head, else the grid worker, else the secretary;
    someone other than the reporter where there is one."""
    people = [
        *building_heads(session, building_id=building_id),
        *grid_workers(session, building_id=building_id),
        *secretaries(session),
    ]
    others = [p for p in people if p.id != reporter.id]
    return (others or people or [None])[0]
