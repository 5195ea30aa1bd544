"""What the sender has just done that their next words may be about: an alarm, a report filed.

The dispatcher asks these (lazily) for the policy: words after one's own alarm are the incident's,
words right after filing are more of that report.
"""

from __future__ import annotations

from bot.context import Context
from models.feedback import just_filed
from models.incident_matching import UNCONFIRMED, latest_own
from models.tickets import TicketKind


def follows_incident(ctx: Context) -> bool:
    """Whether the sender's own confirmed incident is open: what they say next may be about it."""
    ticket = latest_own(ctx.session, reporter=ctx.person, now=ctx.now)
    return ticket is not None and ticket.category != UNCONFIRMED


def report_just_filed(ctx: Context) -> str | None:
    """The intent of the report the sender filed moments ago, still open (None without one)."""
    ticket = just_filed(ctx.session, reporter_id=ctx.person.id, now=ctx.now) if ctx.person.id else None
    return None if ticket is None else ("repair" if ticket.kind is TicketKind.repair else "dispute")
