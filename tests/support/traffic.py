"""Realistic webhook traffic from a generated community (``bot.demo_generate``), for the bench and tests.

A :class:`Traffic` draws whole conversations (:class:`Conversation`): a repair, then its address,
then 「是」; a dispute and the answers its form asks for; questions, sign-ups, points, votes,
notices, greetings, hand-offs, emergencies; voice messages (with ``Recognition``), photos inside a
repair, locations; and a few per cent first contacts (a new follower: ``subscribe``, then binding
to a room, then a question). ``lanes`` deals conversations to concurrent senders: a resident's
messages stay in one lane and in order, and nobody is in two lanes of one plan.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from tests.support import traffic_shapes as shapes
from tests.support.wechat import message_xml

INTENTS = ("repair", "dispute", "volunteer", "points", "consult", "progress", "notice", "emergency")
INTENTS += ("handoff", "greeting", "vote", "unknown")
# How often each conversation starts, per 1,000 conversations (first contacts are drawn apart).
WEIGHTS = {
    "repair_ask_place": 90,
    "repair_common": 70,
    "repair_one_shot": 50,
    "repair_voice": 40,
    "repair_photo": 30,
    "repair_cancelled": 15,
    "dispute": 45,
    "complaint": 25,
    "consult": 150,
    "consult_voice": 30,
    "volunteer": 70,
    "points": 70,
    "vote": 50,
    "notice": 40,
    "progress": 60,
    "greeting": 80,
    "handoff": 20,
    "emergency": 5,
    "location": 20,
    "image": 10,
    "unknown": 30,
}


@dataclass(frozen=True)
class Step:
    kind: str  # text | voice | image | location | event
    intent: str  # the intent the conversation is about (see INTENTS), or "binding"
    text: str = ""  # Content, or Recognition for voice
    answers: str = ""  # the form question this message answers ("" for an opening message)


@dataclass
class Conversation:
    openid: str
    shape: str
    steps: list[Step] = field(default_factory=list)
    first_contact: bool = False


def _resident_slots(person: dict[str, Any]) -> dict[str, str]:
    return {"b": person["building"], "u": person["unit"], "r": person["room"]}


class Traffic:
    """An endless, deterministic stream of conversations from the residents of ``community``."""

    def __init__(
        self, community: dict[str, Any], *, seed: int = 1, first_contacts: float = 0.03, tag: str = "new"
    ) -> None:
        self.rng = random.Random(seed)
        self.residents = [p for p in community["people"] if p.get("room") and p.get("openid")]
        self.rooms = community["rooms"]
        self.people = len(community["people"])
        self.activities = [a["title"] for a in community.get("activities", [])]
        self.rewards = [r["name"] for r in community.get("rewards", [])]
        self.first_contacts = first_contacts
        self.newcomers = (f"{tag}-{n:06d}" for n in itertools.count(1))
        self.shapes, self.weights = zip(*WEIGHTS.items(), strict=True)
        self.proposal = "P1"  # the open vote's code (``open_the_week`` returns it)
        # What ``lanes`` dealt: kind:…, intent:…, answers, first_contacts.
        self.tally: Counter[str] = Counter()
        self.senders: set[str] = set()  # every openid ``lanes`` dealt

    def _fill(self, template: str, slots: dict[str, str]) -> str:
        return template.format(**slots)

    def _pick(self, options: tuple[str, ...], slots: dict[str, str]) -> str:
        return self._fill(self.rng.choice(options), slots)

    def slots_for(self, home: dict[str, str]) -> dict[str, str]:
        other = self.rng.choice(self.rooms)
        slots = {**home, "b2": other["building"], "u2": other["unit"], "r2": other["room"]}
        slots["spot"] = self._fill(self.rng.choice(shapes.SPOTS), slots)
        slots["activity"] = self.rng.choice(self.activities) if self.activities else "志愿活动"
        slots["reward"] = self.rng.choice(self.rewards) if self.rewards else "大米"
        slots["code"] = self.proposal
        return slots

    def conversation(self, busy: Collection[str] = ()) -> Conversation:
        """The next conversation, from someone not in ``busy``."""
        if self.rng.random() < self.first_contacts:
            return self._first_contact()
        if len(busy) >= len(self.residents):
            raise ValueError("more senders at once than residents: generate a bigger community")
        while (person := self.rng.choice(self.residents))["openid"] in busy:
            pass
        shape = self.rng.choices(self.shapes, self.weights)[0]
        talk = Conversation(openid=person["openid"], shape=shape)
        talk.steps = getattr(self, f"_{shape}")(self.slots_for(_resident_slots(person)))
        return talk

    def _first_contact(self) -> Conversation:
        room = self.rng.choice(self.rooms)
        slots = self.slots_for({"b": room["building"], "u": room["unit"], "r": room["room"]})
        steps = [Step("event", "greeting", "subscribe")]
        binding = self._pick(shapes.BINDING, slots)
        steps.append(Step("text", "binding", binding))
        if "绑定房子" in binding:  # the form asks where: the address follows
            steps.append(
                Step("text", "binding", self._pick(shapes.ADDRESS_ANSWERS, slots), answers="address")
            )
        if self.rng.random() < 0.5:
            steps.append(Step("text", "consult", self._pick(shapes.CONSULT, slots)))
        return Conversation(
            openid=next(self.newcomers), shape="first_contact", steps=steps, first_contact=True
        )

    # --- the conversation shapes ------------------------------------------------------------
    def _repair_ask_place(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "repair", self._pick(shapes.REPAIR_NO_PLACE, s)),
            Step("text", "repair", self._pick(shapes.ADDRESS_ANSWERS, s), answers="place"),
            Step("text", "repair", self._pick(shapes.YES, s), answers="confirmed"),
        ]

    def _repair_common(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "repair", self._pick(shapes.REPAIR_COMMON, s)),
            Step("text", "repair", self._pick(shapes.COMMON_PLACE_ANSWERS, s), answers="place"),
            Step("text", "repair", self._pick(shapes.YES, s), answers="confirmed"),
        ]

    def _repair_one_shot(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "repair", self._pick(shapes.REPAIR_ONE_SHOT, s)),
            Step("text", "repair", self._pick(shapes.YES, s), answers="confirmed"),
        ]

    def _repair_voice(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("voice", "repair", self._pick(shapes.VOICE_REPAIR, s)),
            Step("text", "repair", self._pick(shapes.ADDRESS_ANSWERS, s), answers="place"),
            Step("voice", "repair", "是的", answers="confirmed"),
        ]

    def _repair_photo(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "repair", self._pick(shapes.REPAIR_NO_PLACE, s)),
            Step("text", "repair", self._pick(shapes.ADDRESS_ANSWERS, s), answers="place"),
            Step("image", "repair", answers="photos"),
            Step("text", "repair", self._pick(shapes.YES, s), answers="confirmed"),
        ]

    def _repair_cancelled(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "repair", self._pick(shapes.REPAIR_NO_PLACE, s)),
            Step("text", "consult", self._pick(shapes.CONSULT, s)),
            Step("text", "repair", self._pick(shapes.CANCEL, s), answers="cancel"),
        ]

    def _dispute(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "dispute", self._pick(shapes.DISPUTE, s)),
            Step("text", "dispute", self._pick(shapes.DISPUTE_PARTY, s), answers="other_party"),
            Step("text", "dispute", self._pick(shapes.DISPUTE_WANTS, s), answers="wants"),
            Step("text", "dispute", self._pick(shapes.YES, s), answers="confirmed"),
        ]

    def _complaint(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "dispute", self._pick(shapes.COMPLAINT, s)),
            Step("text", "dispute", self._pick(shapes.COMPLAINT_DETAIL, s), answers="matter"),
        ]

    def _consult(self, s: dict[str, str]) -> list[Step]:
        steps = [Step("text", "consult", self._pick(shapes.CONSULT, s))]
        if self.rng.random() < 0.4:
            steps.append(Step("text", "greeting", self._pick(shapes.GREETING, s)))
        return steps

    def _consult_voice(self, s: dict[str, str]) -> list[Step]:
        return [Step("voice", "consult", self._pick(shapes.VOICE_OTHER, s))]

    def _volunteer(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "volunteer", f"我想报名{s['activity']}"),
            Step("text", "volunteer", self._pick(shapes.YES, s), answers="confirmed"),
            Step("text", "volunteer", self._pick(shapes.VOLUNTEER, s)),
        ]

    def _points(self, s: dict[str, str]) -> list[Step]:
        return [
            Step("text", "points", self._pick(shapes.POINTS, s)),
            Step("text", "points", self._pick(shapes.POINTS, s)),
        ]

    def _vote(self, s: dict[str, str]) -> list[Step]:
        return [Step("text", "vote", self._pick(shapes.VOTE, s))]

    def _notice(self, s: dict[str, str]) -> list[Step]:
        return [Step("text", "notice", self._pick(shapes.NOTICE, s))]

    def _progress(self, s: dict[str, str]) -> list[Step]:
        return [Step("text", "progress", self._pick(shapes.PROGRESS, s))]

    def _greeting(self, s: dict[str, str]) -> list[Step]:
        return [Step("text", "greeting", self._pick(shapes.GREETING, s))]

    def _handoff(self, s: dict[str, str]) -> list[Step]:
        return [Step("text", "handoff", self._pick(shapes.HANDOFF, s))]

    def _emergency(self, s: dict[str, str]) -> list[Step]:
        return [Step("text", "emergency", self._pick(shapes.EMERGENCY, s))]

    def _location(self, s: dict[str, str]) -> list[Step]:
        return [Step("location", "repair"), Step("text", "repair", self._pick(shapes.AFTER_LOCATION, s))]

    def _image(self, s: dict[str, str]) -> list[Step]:
        return [Step("image", "unknown"), Step("text", "unknown", self._pick(shapes.UNKNOWN, s))]

    def _unknown(self, s: dict[str, str]) -> list[Step]:
        return [Step("text", "unknown", self._pick(shapes.UNKNOWN, s))]

    # --- dealing to senders -----------------------------------------------------------------
    def lanes(self, senders: int, per_sender: int) -> list[list[tuple[str, Step]]]:
        """``senders`` lanes of ``per_sender`` messages, whole conversations (the last may stop short)."""
        busy: set[str] = set()
        plan: list[list[tuple[str, Step]]] = [[] for _ in range(senders)]
        for lane in plan:
            while len(lane) < per_sender:
                talk = self.conversation(busy)
                busy.add(talk.openid)
                lane += [(talk.openid, step) for step in talk.steps]
            del lane[per_sender:]
            for openid, step in lane:
                self.senders.add(openid)
                self.tally.update((f"kind:{step.kind}", f"intent:{step.intent}"))
                self.tally["answers"] += bool(step.answers)
                self.tally["first_contacts"] += step.kind == "event"
        return plan


def step_xml(openid: str, step: Step, create_time: int, msg_id: int) -> str:
    """The message WeChat would post for ``step`` (events carry no MsgId)."""
    fields: dict[str, Any]
    if step.kind == "event":
        fields = {"Event": step.text, "EventKey": ""}
    elif step.kind == "voice":
        fields = {"MediaId": f"voice-{msg_id}", "Format": "amr", "Recognition": step.text, "MsgId": msg_id}
    elif step.kind == "image":
        pic = f"http://mmbiz.qpic.cn/bench/{msg_id}/0"
        fields = {"PicUrl": pic, "MediaId": f"image-{msg_id}", "MsgId": msg_id}
    elif step.kind == "location":
        fields = {"Location_X": "37.8706", "Location_Y": "112.5489", "Scale": "16", "Label": "小区东门附近"}
        fields["MsgId"] = msg_id
    else:
        fields = {"Content": step.text, "MsgId": msg_id}
    return message_xml(openid, step.kind, create_time, fields)


def open_the_week(session: Session, *, now: datetime) -> str:
    """What a real week has going on: an open vote and a water-cut notice, already pushed; the vote's code.

    Their pushes are marked sent at once: the bench measures answering residents, and a backlog
    of a thousand old pushes would be another workload.
    """
    from models.notices import create_notice, publish_notice
    from models.outbox import OutboxMessage, OutboxStatus
    from models.proposals import create_proposal

    proposal = create_proposal(
        session,
        title="北门加装电动车充电棚",
        body="在北门空地加装一处充电棚，费用从公共收益中列支。",
        matter=7,
        votes_close_at=now + timedelta(days=14),
        raised_by="业委会",
        now=now,
    )
    notice = create_notice(
        session,
        title="周六停水通知",
        body="本周六 8:00-14:00 二次供水改造，全小区停水，请提前储水。",
        audience={"all": True},
        category="停水停电",
        expires_at=now + timedelta(days=7),
        created_by="物业服务中心",
        now=now,
    )
    publish_notice(session, notice_id=notice.id, now=now)  # type: ignore[arg-type]
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.pending)
        .values(status=OutboxStatus.sent, sent_at=now, via="bench-setup")
    )
    return proposal.code
