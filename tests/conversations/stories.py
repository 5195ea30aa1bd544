"""Conversation stories (in the spirit of Rasa's test stories) run through the real dispatcher.

A story file is TOML: ``[[story]]`` with ``name``, ``resident`` ("bound": 王秀兰 of 3栋2单元502,
"new": someone writing for the first time) and ``[[story.turn]]`` with ``say``, ``act`` (what the
bot should act on: an intent, or "answer" / "confirm" / "cancel"; an answer is taken by the open
form, after an alarm by the reporter's incident, which asked where and how, or right after a
report was filed by that report: 「师傅姓李」 after a complaint filed at once) and ``alert`` (must an
emergency alert be raised at this turn). Two looser acts come from a writer who named no intent:
"action" (any request acted on) and "safe" (anything but an alarm). Observed per turn: whether emergency pushes were queued
(the alert), and the policy's decision (recorded by wrapping ``bot.policy.decide``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

import bot.dispatcher
from bot.policy import FOLLOW_UP, TOLD_MORE, Action, Decision
from models.outbox import OutboxMessage
from tests.support.wechat import WeChatSim

HERE = Path(__file__).resolve().parent
BOUND = "demo-resident-wang"
FORM_ANSWERS = {"answer", "confirm"}
ACTIONS = {"repair", "dispute", "volunteer", "points", "progress", "vote", "notice"}


@dataclass
class TurnResult:
    story: str
    say: str
    act: str
    alert: bool
    alerted: bool
    decided: str
    in_form: bool  # a form (or its confirmation) was open when the message arrived
    reply: str

    @property
    def act_ok(self) -> bool:
        if self.act == "answer":  # after an alarm the incident takes the answer to its question,
            return self.decided in ("form", FOLLOW_UP, TOLD_MORE)  # after a report the report does
        if self.act in FORM_ANSWERS:
            return self.decided == "form"
        if self.act == "cancel":
            return self.decided == "cancel"
        if self.act == "emergency":
            return self.decided in ("emergency", "urgent")
        if self.act == "action":
            return self.decided in ACTIONS
        if self.act == "safe":
            return self.decided not in ("emergency", "urgent")
        return self.decided == self.act


@dataclass
class Figures:
    turns: list[TurnResult] = field(default_factory=list)

    def _rate(self, hits: list[bool]) -> float | None:
        return round(sum(hits) / len(hits), 4) if hits else None

    @property
    def emergency_recall(self) -> float | None:
        return self._rate([t.alerted for t in self.turns if t.alert])

    @property
    def emergency_recall_in_forms(self) -> float | None:
        return self._rate([t.alerted for t in self.turns if t.alert and t.in_form])

    @property
    def false_alarms(self) -> list[TurnResult]:
        return [t for t in self.turns if t.alerted and not t.alert]

    @property
    def act_accuracy(self) -> float | None:
        return self._rate([t.act_ok for t in self.turns])

    def summary(self) -> dict[str, Any]:
        ordinary = [t for t in self.turns if not t.alert]
        return {
            "stories": len({t.story for t in self.turns}),
            "turns": len(self.turns),
            "emergency_recall": self.emergency_recall,
            "emergency_recall_with_a_form_open": self.emergency_recall_in_forms,
            "false_alarm_rate": self._rate([t.alerted for t in ordinary]),
            "act_accuracy": self.act_accuracy,
        }


def load(path: Path) -> list[dict[str, Any]]:
    return tomllib.loads(path.read_text(encoding="utf-8"))["story"]


def _alerts(engine: Engine) -> int:
    """Incidents paged: tickets whose first alert (``emergency:{ticket}:{person}``) went out.

    What is added to an incident already paged (the number, the place and the building's people
    alerted once it is known, a second witness) is no new alarm.
    """
    with Session(engine) as session:
        keys = session.exec(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.kind == "emergency", col(OutboxMessage.idempotency_key).startswith("emergency:")
            )
        ).all()
    return len({key.split(":")[1] for key in keys})


@contextmanager
def recording_decisions() -> Iterator[list[Decision]]:
    """Every decision the dispatcher's policy takes while inside the block."""
    seen: list[Decision] = []
    original = bot.dispatcher.policy.decide

    def decide(*args: Any, **kwargs: Any) -> Decision:
        decision = original(*args, **kwargs)
        seen.append(decision)
        return decision

    bot.dispatcher.policy.decide = decide  # type: ignore[assignment]
    try:
        yield seen
    finally:
        bot.dispatcher.policy.decide = original  # type: ignore[assignment]


def _decided(decision: Decision | None) -> str:
    if decision is None:
        return "none"
    if decision.action is Action.ROUTE:
        return decision.intent
    return decision.action.value


def run(stories: list[dict[str, Any]], *, wechat: WeChatSim, engine: Engine) -> Figures:
    from models.conversation import load_state

    figures = Figures()
    with recording_decisions() as decisions:
        for number, story in enumerate(stories):
            openid = BOUND if story.get("resident", "bound") == "bound" else f"story-new-{number}"
            for turn in story["turn"]:
                with Session(engine) as session:
                    in_form = load_state(session, user_key=f"mp:{openid}").form is not None
                before, count = _alerts(engine), len(decisions)
                wechat.clock.advance(seconds=20)  # type: ignore[attr-defined]
                reply = wechat.send(openid, turn["say"])
                decision = decisions[-1] if len(decisions) > count else None
                figures.turns.append(
                    TurnResult(
                        story=story["name"],
                        say=turn["say"],
                        act=turn["act"],
                        alert=bool(turn["alert"]),
                        alerted=_alerts(engine) > before,
                        decided=_decided(decision),
                        in_form=in_form,
                        reply=reply,
                    )
                )
            # Each story starts afresh: drop what is open and move past the incident window.
            wechat.send(openid, "取消")
            wechat.clock.advance(hours=2)  # type: ignore[attr-defined]
    return figures
