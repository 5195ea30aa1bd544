"""Finding 9 of issue 15 (in part): fifty people sign up for ten places at once; the forty on the
waitlist are each told their true place in it — 「排第 1 位」 once, 「排第 40 位」 once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.db import write_gate
from handlers.volunteer import TEXTS
from models.activities import Signup, SignupStatus, create_activity, sign_up
from models.people import Person, Role

PEOPLE, PLACES = 50, 10


def test_fifty_at_once_each_hear_their_true_place_on_the_waitlist(engine: Engine, clock: ManualClock) -> None:
    now = clock.now()
    with Session(engine) as session, session.begin():
        people = [Person(openid=f"racer-{n}", role=Role.resident, created_at=now) for n in range(PEOPLE)]
        session.add_all(people)
        activity = create_activity(
            session,
            title="周六义诊",
            kind="义诊",
            starts_at=now + timedelta(days=3),
            place="社区广场",
            capacity=PLACES,
            points=2,
            now=now,
        )
        session.flush()
        ids, activity_id = [p.id for p in people], activity.id
    barrier = threading.Barrier(PEOPLE)

    def one(index: int) -> tuple[int, str]:
        """What this person is told, as the sign-up handler words it."""
        barrier.wait()
        with write_gate(engine), Session(engine, expire_on_commit=False) as session, session.begin():
            person = session.get(Person, ids[index])
            assert person is not None and activity_id is not None
            result = sign_up(session, activity_id=activity_id, person=person, now=now)
            told = (
                TEXTS["waitlisted"].format(position=result.position) if result.outcome == "waitlisted" else ""
            )
            return person.id, told  # type: ignore[return-value]

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        told = dict(pool.map(one, range(PEOPLE)))
    with Session(engine) as session:
        queue = session.exec(
            select(Signup.person_id)
            .where(Signup.activity_id == activity_id, Signup.status == SignupStatus.waitlisted)
            .order_by(col(Signup.queued_at), col(Signup.id))
        ).all()
    assert len(queue) == PEOPLE - PLACES
    wrong = {
        place: told[person]
        for place, person in enumerate(queue, start=1)
        if told[person] != TEXTS["waitlisted"].format(position=place)
    }
    assert wrong == {}, f"{len(wrong)} of {len(queue)} told a wrong place"
