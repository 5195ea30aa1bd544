"""person.erased_at: a person whose personal data was erased stays only as an anonymous tombstone

Revision ID: 3e5a1c7d9b20
Revises: 3f8e1b6c2d94
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "3e5a1c7d9b20"
down_revision: str | None = "3f8e1b6c2d94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("erased_at", models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("erased_at")
