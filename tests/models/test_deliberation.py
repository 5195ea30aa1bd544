"""三级议事's rules: the same words second the open topic, a tier meets only on its own topics, the
last tier decides, a decision lists items, only an item's owner closes it (once), and the topic is
已办结 when its last item closes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from models.deliberation import close_item, raise_topic, record_meeting, second
from models.people import person_by_openid
from models.topics import DeliberationError, PlannedItem, Tier, TopicStatus, items_of, raisers


def test_a_topic_goes_up_decides_and_closes_by_its_owner_only(
    engine: Engine, demo: None, clock: ManualClock
) -> None:
    now = clock.now()
    with Session(engine) as session, session.begin():
        wang, zhang = (
            person_by_openid(session, "demo-resident-wang"),
            person_by_openid(session, "demo-resident-zhang"),
        )
        staff = person_by_openid(session, "demo-staff-wang")
        assert wang and zhang and staff
        topic = raise_topic(session, title="垃圾站挪远一点", resident=wang, now=now)
        assert raise_topic(session, title="垃圾站挪远一点。", resident=zhang, now=now).id == topic.id
        assert not second(session, topic=topic, resident=zhang, now=now)  # already a raiser
        assert [p.id for p in raisers(session, topic)] == [wang.id, zhang.id]

        meet = dict(held_on=date(2026, 11, 25), participants=["周书记"], minutes="", by="社区", now=now)
        with pytest.raises(DeliberationError, match="不能记录物业党群议事会"):
            record_meeting(
                session, topic=topic, tier=Tier.property, decision="x", escalate=True, items=[], **meet
            )
        with pytest.raises(DeliberationError, match="至少列一项"):
            record_meeting(
                session, topic=topic, tier=Tier.online, decision="x", escalate=False, items=[], **meet
            )
        record_meeting(
            session, topic=topic, tier=Tier.online, decision="上报", escalate=True, items=[], **meet
        )
        record_meeting(
            session, topic=topic, tier=Tier.property, decision="上报", escalate=True, items=[], **meet
        )
        with pytest.raises(DeliberationError, match="最后一级"):
            record_meeting(
                session, topic=topic, tier=Tier.community, decision="x", escalate=True, items=[], **meet
            )
        due = date(2026, 11, 30)
        planned = [PlannedItem("挪垃圾站", staff.id, due), PlannedItem("加装围挡", staff.id, due)]  # type: ignore[arg-type]
        record_meeting(
            session, topic=topic, tier=Tier.community, decision="同意", escalate=False, items=planned, **meet
        )
        assert topic.status == TopicStatus.rectifying

        first, last = items_of(session, topic=topic)
        assert not first.overdue(now) and first.overdue(now + timedelta(days=8))
        with pytest.raises(DeliberationError, match="不是您负责"):
            close_item(session, item=first, owner=wang, note="", now=now)
        assert close_item(session, item=first, owner=staff, note="挪好了", now=now)
        assert not close_item(session, item=first, owner=staff, note="", now=now)  # once
        assert topic.status == TopicStatus.rectifying
        assert close_item(session, item=last, note="", by="社区", now=now)  # the office
        session.refresh(topic)
        assert topic.status == TopicStatus.done
        with pytest.raises(DeliberationError, match="已经办结"):
            second(session, topic=topic, resident=staff, now=now)
