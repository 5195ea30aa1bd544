"""The domain: SQLModel tables and the keyword-only services that keep their invariants.

Importing this package registers every table on ``SQLModel.metadata``.
"""

from __future__ import annotations

from models.activities import Activity, Signup
from models.community import Building, Community, Grid, Room
from models.conversation import Conversation
from models.inbound import InboundMessage
from models.outbox import OutboxMessage, OutboxStatus
from models.people import BindingRequest, BindingStatus, Person, Role
from models.points import PointAccount, PointEntry
from models.rewards import Redemption, Reward
from models.teams import Team, TeamMember
from models.visits import VisitRecord, VisitRota

__all__ = [
    "Activity",
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
    "PointAccount",
    "PointEntry",
    "Redemption",
    "Reward",
    "Role",
    "Room",
    "Signup",
    "Team",
    "TeamMember",
    "VisitRecord",
    "VisitRota",
]
