"""operation.heartbeat_at: background operations beat, so a stopped one is marked failed

Revision ID: 6a2d9e4f1b37
Revises: 5d1e7c3b9a42
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "6a2d9e4f1b37"
down_revision: str | None = "5d1e7c3b9a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operation") as batch:
        batch.add_column(sa.Column("heartbeat_at", models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operation") as batch:
        batch.drop_column("heartbeat_at")
