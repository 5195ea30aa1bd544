"""ticket (building_id, created_at): a community's tickets of a month in one range scan (#17)

Replaces the single-column index on ticket.building_id, which it serves as well.

Revision ID: a17d5c0e3b21
Revises: a9c3e7f1d205
Create Date: 2026-12-01 14:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a17d5c0e3b21"
down_revision: str | None = "a9c3e7f1d205"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ticket_building_created", "ticket", ["building_id", "created_at"])
    op.drop_index("ix_ticket_building_id", table_name="ticket")


def downgrade() -> None:
    op.create_index("ix_ticket_building_id", "ticket", ["building_id"])
    op.drop_index("ix_ticket_building_created", table_name="ticket")
