"""Natural-language understanding for 红管家: one call turns a resident's message into an intent.

``understand(text)`` normalises the text, runs the high-recall emergency layer, then the
intent classifier, and attaches slots (building/unit/room, category, urgency, phone, when...)
from ``nlp.slots``.  Pure functions and data: nothing here imports the rest of the project,
and everything is built from files in this package on first use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from nlp.emergency import detect
from nlp.intent import INTENTS, classifier
from nlp.normalise import normalise

__all__ = ["INTENTS", "Understanding", "understand"]

try:
    from nlp.slots import extract_slots
except ImportError:  # merged later from the slots branch

    def extract_slots(text: str, *, today: dt.date | None = None) -> dict[str, str]:  # type: ignore[misc]
        return {}


EMERGENCY_CONFIDENCE = 0.99


@dataclass(frozen=True)
class Understanding:
    """What a message means: intent, how sure, slots, ranked alternatives, needs-confirmation flag."""

    intent: str
    confidence: float
    slots: dict[str, str] = field(default_factory=dict)
    candidates: tuple[tuple[str, float], ...] = ()
    ambiguous: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (candidates as lists)."""
        return {
            "intent": self.intent,
            "confidence": self.confidence,
            "slots": dict(self.slots),
            "candidates": [[label, score] for label, score in self.candidates],
            "ambiguous": self.ambiguous,
        }


def understand(text: str, *, today: dt.date | None = None) -> Understanding:
    """Classify one resident message.  Never raises for any string input.

    ``today`` (the community's local date) anchors relative times such as 「明天上午」; by
    default the machine's date.
    """
    clean = normalise(text or "")
    if not clean:
        return Understanding(intent="unknown", confidence=0.0)
    slots = dict(extract_slots(clean, today=today))
    pred = classifier().predict(clean)
    alarm = detect(clean)
    if alarm is not None:
        slots.setdefault("hazard", alarm.kind)
        others = tuple((label, score) for label, score in pred.candidates if label != "emergency")
        return Understanding(
            intent="emergency",
            confidence=EMERGENCY_CONFIDENCE,
            slots=slots,
            candidates=(("emergency", EMERGENCY_CONFIDENCE), *others[:2]),
            ambiguous=False,
        )
    return Understanding(
        intent=pred.intent,
        confidence=pred.confidence,
        slots=slots,
        candidates=pred.candidates,
        ambiguous=pred.ambiguous,
    )
