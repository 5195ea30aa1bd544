"""``hgj demo seed``: six weeks of history for the demo community, made by the real services.

A :class:`~bot.clock.ManualClock` walks from six weeks ago to ``now`` through the moments of
``bot/demo_stories.py`` (tickets filed, accepted, escalated, rated; activities with sign-ups,
attendance and points; a redemption; notices; a vote; last month's 三公开). Every six hours of
the simulation every scheduler job runs as it would have (escalations, auto-close, follow-ups,
reminders, ledger publication, the monthly report), so the data keeps the same invariants as
data made by people. The pushes of the past are delivered as they are made
(``via`` = ``demo``): starting the server does not replay six weeks of old messages.

Everything is placed relative to ``now``, so the demo is current whenever it is seeded. It runs
once per database: an operation of kind ``demo-seed`` records that it did.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import demo_fees, demo_wishes
from bot import demo_stories as stories
from bot.clock import ManualClock
from models import outbox
from models.activities import create_activity, sign_up
from models.attendance import mark_attended
from models.ballots import vote_in_chat
from models.base import month_of, previous_month
from models.community import Building, room_label
from models.dispatch import Outcome, accept, dispatch, resolve, start
from models.disputes import add_note, conclude, set_agreement
from models.feedback import cancel, confirm_fixed, rate, reopen
from models.ledger import EntryInput, add_entries
from models.mediation import answer as mediation_answer
from models.notices import create_notice, publish_notice
from models.onboarding_dates import import_time
from models.operations import Operation, OperationStatus, finish_operation, start_operation
from models.outbox import OutboxMessage
from models.people import Person, home_of
from models.points import month_start
from models.proposals import create_proposal
from models.rewards import Reward, pick_up, redeem
from models.routing import open_ticket
from models.sla import TicketRules
from models.tickets import Ticket, TicketKind
from models.workers import grid_workers
from scheduler.runner import discover

SEED_KIND = "demo-seed"
TICK = timedelta(hours=6)  # how often the scheduler's jobs run in the simulation
DELIVERER = "demo-history"


class DemoError(ValueError):
    """The history cannot be made in this database; the message says why, in Chinese."""


@dataclass(frozen=True)
class SeedReport:
    seeded: bool  # False: the history was already there, nothing was done
    since: datetime | None = None  # when the existing history was made
    tickets: int = 0
    activities: int = 0
    signups: int = 0
    pushes: int = 0


def seeded_at(session: Session) -> datetime | None:
    """When the demo history was made in this database, or None."""
    query = select(Operation.created_at).where(
        Operation.kind == SEED_KIND, Operation.status == OperationStatus.done
    )
    return session.exec(query).first()


def seed_demo(session: Session, *, now: datetime, rules: TicketRules) -> SeedReport:
    """Make the history once (in the caller's transaction); a second call does nothing."""
    since = seeded_at(session)
    if since is not None:
        return SeedReport(seeded=False, since=since)
    history = _History(session, now=now, rules=rules)
    history.plan()
    history.run()
    operation = start_operation(session, kind=SEED_KIND, now=now, detail=history.counts)
    assert operation.id is not None
    finish_operation(session, operation_id=operation.id, ok=True, now=now)
    return SeedReport(seeded=True, **history.counts)


class _History:
    def __init__(self, session: Session, *, now: datetime, rules: TicketRules) -> None:
        self.session, self.now, self.rules = session, now, rules
        self.clock = ManualClock(now)
        self.people = self._people()
        self.events: list[tuple[datetime, int, Callable[[], Any]]] = []  # a heap
        self.planned = 0
        self.started = False
        self.jobs = discover()
        self.floor = session.exec(select(func.max(OutboxMessage.id))).one() or 0
        self.counts = {"tickets": 0, "activities": 0, "signups": 0, "pushes": 0}

    def _people(self) -> dict[str, Person]:
        wanted = sorted(stories.people())
        found = {
            p.openid: p
            for p in self.session.exec(select(Person).where(col(Person.openid).in_(wanted)))
            if p.openid
        }
        missing = [openid for openid in wanted if openid not in found]
        if missing:
            raise DemoError(
                f"数据库里还没有演示社区（找不到 {'、'.join(missing)}）。"
                "请先运行 hgj import examples/demo-community.toml。"
            )
        return found

    def moment(self, when: stories.When) -> datetime:
        if isinstance(when, str):
            return import_time(when, now=self.now)
        return self.now - timedelta(hours=when)

    def at(self, moment: datetime, action: Callable[[], Any]) -> None:
        """Plan ``action`` for ``moment``: in the past, and not before the moment being played."""
        earliest = self.clock.now() if self.started else moment
        if not earliest <= moment <= self.now:
            raise ValueError(f"a demo event at {moment.isoformat()} is outside {earliest} .. {self.now}")
        self.planned += 1
        heapq.heappush(self.events, (moment, self.planned, action))

    # --- the plan -------------------------------------------------------------------------

    def plan(self) -> None:
        for story in stories.TICKETS:
            self._plan_ticket(story)
        for activity in stories.ACTIVITIES:
            self._plan_activity(activity)
        who, reward, ordered, picked = stories.REDEMPTION
        self.at(self.moment(ordered), lambda: self._redeem(who, reward, picked))
        for when, category, title, body in stories.NOTICES:
            self.at(self.moment(when), lambda c=category, t=title, b=body: self._notice(c, t, b))
        self.at(self.moment(stories.PROPOSAL["opens"]), self._proposal)
        self.at(month_start(self.now) - timedelta(hours=7), self._ledger)  # the last day of last month
        demo_wishes.plan(self)
        demo_fees.plan(self)
        demo_wishes.plan_topic(self)

    def _plan_ticket(self, story: stories.Story) -> None:
        filed = self.moment(story.filed)
        held: dict[str, Ticket] = {}
        self.at(filed, lambda: held.update(ticket=self._file(story)))
        for hours, action, argument in story.steps:
            self.at(
                filed + timedelta(hours=hours),
                lambda a=action, x=argument: self._step(story, held["ticket"], a, x),
            )

    def _plan_activity(self, spec: stories.PastActivity) -> None:
        held: dict[str, Any] = {}

        def create() -> None:
            organiser = self.people[spec.organiser]
            held["activity"] = create_activity(
                self.session,
                title=spec.title,
                kind=spec.kind,
                starts_at=self.moment(spec.starts),
                ends_at=self.moment(spec.ends),
                place=spec.place,
                capacity=spec.capacity,
                points=spec.points,
                organiser_id=organiser.id,
                checkin_code=spec.checkin_code,
                now=self.clock.now(),
            )
            self.counts["activities"] += 1

        def join(openid: str) -> None:
            result = sign_up(
                self.session,
                activity_id=held["activity"].id,
                person=self.people[openid],
                now=self.clock.now(),
            )
            if result.outcome not in ("confirmed", "waitlisted"):
                raise RuntimeError(f"demo sign-up of {openid} to {spec.title}: {result.outcome}")
            self.counts["signups"] += 1

        def attend() -> None:
            organiser = self.people[spec.organiser]
            for openid in spec.attended:
                mark_attended(
                    self.session,
                    activity=held["activity"],
                    person_id=self.people[openid].id,  # type: ignore[arg-type]
                    by=organiser.name,
                    now=self.clock.now(),
                )

        self.at(self.moment(spec.created), create)
        for openid, when in spec.signups:
            self.at(self.moment(when), lambda o=openid: join(o))
        if spec.attended:
            self.at(self.moment(spec.ends), attend)

    # --- the moments ----------------------------------------------------------------------

    def run(self) -> None:
        """Play the events in time order; every scheduler job runs at each tick and at the end."""
        self.started = True
        tick = self.events[0][0] if self.events else self.now
        while True:
            moment = min(self.events[0][0] if self.events else self.now, tick, self.now)
            self.clock.set(moment)
            if moment in (tick, self.now):
                for _, job in self.jobs.values():
                    job(self.session, now=moment)
                tick += TICK
            while self.events and self.events[0][0] == moment:
                heapq.heappop(self.events)[2]()  # may plan later events (a pick-up, the ballots)
            if moment >= self.now:
                return  # pushes made now are the present's: the delivery worker sends them
            self._deliver(moment)

    def _deliver(self, moment: datetime) -> None:
        """What would have been pushed at ``moment`` was; the demo's past is not sent again."""
        for message in outbox.due(self.session, now=moment, limit=10_000):
            if message.id is None or message.id <= self.floor:
                continue
            recipient = (
                f"person:{message.person_id}" if message.person_id else f"building:{message.building_id}"
            )
            token = outbox.claim(
                self.session,
                message_id=message.id,
                worker=DELIVERER,
                via="demo",
                recipient=recipient,
                parts=1,
                lease=timedelta(minutes=1),
                now=moment,
            )
            if token is not None and outbox.mark_sent(
                self.session, message_id=message.id, worker=DELIVERER, token=token, now=moment, via="demo"
            ):
                self.counts["pushes"] += 1

    def _building(self, number: str) -> Building:
        building = self.session.exec(select(Building).where(Building.number == number)).first()
        if building is None:
            raise DemoError(f"数据库里没有{number}栋，请先导入演示社区。")
        return building

    def _file(self, story: stories.Story) -> Ticket:
        reporter = self.people[story.reporter]
        home = home_of(self.session, reporter)
        fields: dict[str, Any] = {"category": story.category, "description": story.text}
        if story.kind == TicketKind.dispute:
            building = self._building(story.building)
            fields.update(building_id=building.id, place=story.other_party)
            fields.update(other_party=story.other_party, wants=story.wants)
        elif story.spot:
            building = self._building(story.building) if story.building else None
            label = building.label if building else ""
            fields.update(building_id=building.id if building else None, spot=story.spot)
            fields.update(place=label + story.spot)
        elif story.kind == TicketKind.complaint:
            assert home is not None
            fields.update(building_id=home[0].id, place=home[0].label)
        else:
            assert home is not None
            fields.update(building_id=home[0].id, room_id=home[1].id, place=room_label(*home))
        ticket = open_ticket(
            self.session, rules=self.rules, kind=story.kind, reporter=reporter, now=self.clock.now(), **fields
        )
        self.counts["tickets"] += 1
        return ticket

    def _step(self, story: stories.Story, ticket: Ticket, action: str, argument: str) -> None:
        session, now = self.session, self.clock.now()
        session.refresh(ticket)
        handler = session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
        reporter = self.people[story.reporter]
        if action == "accept":
            worker = self.people[argument] if argument else handler
            outcome = accept(session, ticket=ticket, person=worker, rules=self.rules, now=now)  # type: ignore[arg-type]
        elif action == "start":
            outcome = start(session, ticket=ticket, actor=handler, now=now)  # type: ignore[arg-type]
        elif action == "resolve":
            outcome = resolve(session, ticket=ticket, actor=handler, note=argument, rules=self.rules, now=now)
        elif action == "dispatch":
            office = grid_workers(session, building_id=ticket.building_id)
            actor_id = office[0].id if office else None
            outcome = dispatch(
                session, ticket=ticket, person=self.people[argument], actor_id=actor_id, now=now
            )
        elif action == "rate":
            overall, speed, service, *comment = argument.split(" ", 3)
            outcome = rate(
                session,
                ticket=ticket,
                person=reporter,
                overall=int(overall),
                speed=int(speed),
                service=int(service),
                comment=comment[0] if comment else "",
                now=now,
            )
        elif action == "fixed":
            outcome = confirm_fixed(session, ticket=ticket, person=reporter, now=now)
        elif action == "reopen":
            outcome = reopen(
                session, ticket=ticket, person=reporter, note=argument, rules=self.rules, now=now
            )
        elif action == "cancel":
            outcome = cancel(session, ticket=ticket, actor_id=reporter.id, now=now, note=argument)
        elif action == "note":
            outcome = add_note(session, ticket=ticket, actor=handler, text=argument, now=now)  # type: ignore[arg-type]
        elif action == "agree":
            outcome = set_agreement(session, ticket=ticket, actor=handler, text=argument, now=now)  # type: ignore[arg-type]
        elif action == "conclude":
            outcome = conclude(
                session, ticket=ticket, actor=handler, outcome=argument, rules=self.rules, now=now
            )
        elif action == "settled":
            heard = mediation_answer(session, person=reporter, settled=argument == "是", now=now)
            outcome = Outcome(heard is not None, "wrong_status", ticket)
        else:
            raise ValueError(f"unknown demo action {action!r}")
        self._check(outcome, story, action)

    @staticmethod
    def _check(outcome: Outcome, story: stories.Story, action: str) -> None:
        if not outcome.ok:
            raise RuntimeError(f"demo ticket 「{story.text}」: {action} refused ({outcome.reason})")

    def _redeem(self, openid: str, name: str, picked: stories.When) -> None:
        reward = self.session.exec(select(Reward).where(Reward.name == name)).first()
        if reward is None:
            raise DemoError(f"数据库里没有爱心屋物品「{name}」，请先导入演示社区。")
        person_id = self.people[openid].id
        assert reward.id is not None and person_id is not None
        result = redeem(self.session, reward_id=reward.id, person_id=person_id, now=self.clock.now())
        if result.redemption is None:
            raise RuntimeError(f"demo redemption of {name}: {result.outcome}")
        code = result.redemption.pickup_code
        self.at(
            self.moment(picked), lambda: pick_up(self.session, code=code, now=self.clock.now(), by="爱心屋")
        )

    def _notice(self, category: str, title: str, body: str) -> None:
        starts, ends = (self.moment(w) for w in stories.WATER_CUT)
        cut = f"{starts.month}月{starts.day}日"
        notice = create_notice(
            self.session,
            title=title,
            body=body.format(cut=cut),
            audience={"all": True},
            category=category,
            expires_at=ends if "{cut}" in body else None,
            created_by=self.people[stories.ADMIN].name,
            now=self.clock.now(),
        )
        publish_notice(self.session, notice_id=notice.id, now=self.clock.now())  # type: ignore[arg-type]

    def _proposal(self) -> None:
        spec = stories.PROPOSAL
        proposal = create_proposal(
            self.session,
            title=str(spec["title"]),
            body=str(spec["body"]),
            matter=int(spec["matter"]),
            votes_close_at=self.moment(spec["closes"]),
            raised_by=self.people[stories.ADMIN].name,
            now=self.clock.now(),
        )
        for openid, choice, when in stories.BALLOTS:
            self.at(
                self.moment(when),
                lambda o=openid, c=choice: vote_in_chat(
                    self.session,
                    proposal=proposal,
                    person=self.people[o],
                    choice=c,  # type: ignore[arg-type]
                    now=self.clock.now(),
                ),
            )

    def _ledger(self) -> None:
        month = previous_month(month_of(self.now))
        items = [
            EntryInput(
                month=month,
                kind=kind,
                item=item,
                amount_fen=fen,
                note=note,
                building=building or None,
                account=account,
            )
            for kind, item, fen, note, building, account in stories.LEDGER
        ]
        add_entries(
            self.session, items=items, created_by=self.people[stories.ADMIN].name, now=self.clock.now()
        )
