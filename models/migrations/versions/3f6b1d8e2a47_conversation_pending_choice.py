"""conversation: the choice a list just shown leaves pending for the next message

Revision ID: 3f6b1d8e2a47
Revises: c20ca4e9f7d6
Create Date: 2026-12-02 02:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6b1d8e2a47"
down_revision: str | None = "c20ca4e9f7d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("choice", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("choice")
