"""ticket.paused_at: a ticket paused from the console (its clock stops until resumed)

Revision ID: 7d1e5b3a9c42
Revises: 3c8f2a6d1e95
Create Date: 2026-12-01 12:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "7d1e5b3a9c42"
down_revision: str | None = "3c8f2a6d1e95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("paused_at", models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("paused_at")
