"""outbox_message: partial indexes instead of status / next_attempt_at / recipient / building_id (#17)

A notice to 100,000 residents wrote every row into seven indexes. Now a new pending row goes
into four: the primary key, the idempotency key, person_id and the due index. The worker's
lookups (due rows, expired leases, recent sends, dead letters) each get a partial index on the
rows they read; recipient and building_id are indexed only where set.

Revision ID: f17a0b5c8d31
Revises: c2e4f6a8b013
Create Date: 2026-12-01 15:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f17a0b5c8d31"
down_revision: str | None = "c2e4f6a8b013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = [
    ("ix_outbox_message_due", ["next_attempt_at", "id"], "status = 'pending'"),
    ("ix_outbox_message_lease", ["claimed_until"], "status = 'sending'"),
    ("ix_outbox_message_sent", ["sent_at"], "status = 'sent'"),
    ("ix_outbox_message_dead", ["id"], "status = 'dead'"),
    ("ix_outbox_message_recipient", ["recipient"], "recipient <> ''"),
    ("ix_outbox_message_building_id", ["building_id"], "building_id IS NOT NULL"),
]
PLAIN = [
    ("ix_outbox_message_status", ["status"]),
    ("ix_outbox_message_next_attempt_at", ["next_attempt_at"]),
    ("ix_outbox_message_recipient", ["recipient"]),
    ("ix_outbox_message_building_id", ["building_id"]),
]


def upgrade() -> None:
    for name, _ in PLAIN:
        op.drop_index(name, table_name="outbox_message")
    for name, columns, where in PARTIAL:
        op.create_index(
            name, "outbox_message", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where)
        )


def downgrade() -> None:
    for name, _, _ in PARTIAL:
        op.drop_index(name, table_name="outbox_message")
    for name, columns in PLAIN:
        op.create_index(name, "outbox_message", columns)
