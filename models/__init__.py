"""The domain: SQLModel tables and the keyword-only services that keep their invariants.

Importing this package registers every table on ``SQLModel.metadata``.
"""

from __future__ import annotations

from models.community import Building, Community, Grid, Room
from models.conversation import Conversation
from models.inbound import InboundMessage
from models.outbox import OutboxMessage, OutboxStatus
from models.people import BindingRequest, BindingStatus, Person, Role
from models.tokens import AccessToken

__all__ = [
    "AccessToken",
    "BindingRequest",
    "BindingStatus",
    "Building",
    "Community",
    "Conversation",
    "Grid",
    "InboundMessage",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "Role",
    "Room",
]
