"""What a handler gets: the message, the person, the open transaction, the time, the NLU result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.message import Message
from models.conversation import ConversationState
from models.people import Person

if TYPE_CHECKING:
    from bot.settings import Settings


@dataclass
class Context:
    session: Session
    message: Message
    person: Person
    now: datetime
    settings: Settings
    state: ConversationState
    nlu: Any = None  # nlp.Understanding for text, None for events and media
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def slots(self) -> dict[str, str]:
        return dict(self.nlu.slots) if self.nlu is not None else {}
