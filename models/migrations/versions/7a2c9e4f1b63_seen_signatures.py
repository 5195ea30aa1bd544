"""signed webhook triples seen within the replay window, shared by every process

Revision ID: 7a2c9e4f1b63
Revises: a7c3e9d1f5b2
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "7a2c9e4f1b63"
down_revision: str | None = "a7c3e9d1f5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_signature",
        sa.Column("triple_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("body_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("triple_hash"),
    )
    with op.batch_alter_table("seen_signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_signature_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seen_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_signature_expires_at"))
    op.drop_table("seen_signature")
