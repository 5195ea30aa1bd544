"""The domain: SQLModel tables and the keyword-only services that keep their invariants.

Importing this package registers every table on ``SQLModel.metadata``.
"""

from __future__ import annotations

from models.access import ApiRole, ApiToken, AuditEntry
from models.activities import Activity, Signup
from models.community import Building, Community, Grid, Room
from models.console_sessions import ConsoleSession
from models.conversation import Conversation
from models.evaluations import Evaluation, EvaluationAnswer
from models.inbound import InboundMessage
from models.ledger import LedgerEntry, LedgerPublication
from models.ledger_accounts import LedgerAccount
from models.ledger_import import LedgerImport
from models.login_throttle import LoginFailure
from models.mediation import MediationAnswer
from models.notices import Notice, NoticeMute
from models.operations import Operation
from models.outbox import OutboxMessage, OutboxStatus
from models.ownership import RoomOwner
from models.party import DutyArea, PartyMember, PartyOrg
from models.people import BindingRequest, BindingStatus, Person, Role
from models.points import PointAccount, PointEntry
from models.proposals import Ballot, Proposal, ProposalComment, ProposalStatus
from models.residency import Residency
from models.residents import Householder
from models.rewards import Redemption, Reward
from models.seen_signatures import SeenSignature
from models.spots import Spot
from models.teams import Team, TeamMember
from models.tenancy import scope_to  # registers the one place tenancy is enforced
from models.tickets import Rating, Ticket, TicketEvent, TicketKind, TicketStatus
from models.tokens import AccessToken
from models.unanswered import UnansweredQuestion
from models.visits import VisitRecord, VisitRota
from models.wishes import Wish, WishStatus

__all__ = [
    "AccessToken",
    "Activity",
    "ApiRole",
    "ApiToken",
    "AuditEntry",
    "Ballot",
    "BindingRequest",
    "BindingStatus",
    "Building",
    "Community",
    "ConsoleSession",
    "Conversation",
    "DutyArea",
    "Evaluation",
    "EvaluationAnswer",
    "Grid",
    "Householder",
    "InboundMessage",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerImport",
    "LedgerPublication",
    "LoginFailure",
    "MediationAnswer",
    "Notice",
    "NoticeMute",
    "Operation",
    "OutboxMessage",
    "OutboxStatus",
    "PartyMember",
    "PartyOrg",
    "Person",
    "PointAccount",
    "PointEntry",
    "Proposal",
    "ProposalComment",
    "ProposalStatus",
    "Rating",
    "Redemption",
    "Residency",
    "Reward",
    "Role",
    "Room",
    "RoomOwner",
    "SeenSignature",
    "Signup",
    "Spot",
    "Team",
    "TeamMember",
    "Ticket",
    "TicketEvent",
    "TicketKind",
    "TicketStatus",
    "UnansweredQuestion",
    "VisitRecord",
    "VisitRota",
    "Wish",
    "WishStatus",
    "scope_to",
]
