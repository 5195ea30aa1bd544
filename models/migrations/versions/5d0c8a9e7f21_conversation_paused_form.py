"""conversation: a form put aside by an interruption, offered back afterwards

Revision ID: 5d0c8a9e7f21
Revises: e4b2f0296c31
Create Date: 2026-12-01 02:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d0c8a9e7f21"
down_revision: str | None = "e4b2f0296c31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("paused", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("paused")
