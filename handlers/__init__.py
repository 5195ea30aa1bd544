"""Chat-facing flows, one module (and one Router) per intent; they return replies, never wire XML.

Order matters: commands are tried router by router in this order, and for an intent handled
twice the later router wins. Fallback is last.
"""

from __future__ import annotations

from handlers import (
    attention,
    binding,
    consult,
    deliberation,
    dispute,
    emergency,
    evaluation,
    fallback,
    fees,
    greeting,
    handoff,
    incident_update,
    notice,
    office,
    personal_data,
    points,
    progress,
    repair,
    report_detail,
    spot_report,
    ticket_cancel,
    verify,
    visit,
    volunteer,
    vote,
    wish,
    work_report,
    worker,
)

ROUTERS = [
    emergency.router,
    incident_update.router,
    report_detail.router,
    handoff.router,
    personal_data.router,
    binding.router,
    verify.router,
    office.router,
    attention.router,
    worker.router,
    work_report.router,
    repair.router,
    spot_report.router,
    dispute.router,
    progress.router,
    ticket_cancel.router,
    visit.router,
    wish.router,
    deliberation.router,
    volunteer.router,
    points.router,
    fees.router,
    vote.router,
    evaluation.router,
    notice.router,
    greeting.router,
    consult.router,
    fallback.router,
]
FALLBACK = fallback.fallback

__all__ = ["FALLBACK", "ROUTERS"]
