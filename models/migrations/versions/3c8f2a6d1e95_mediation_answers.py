"""mediation_answer: both parties of a concluded dispute say whether it was settled (化解率)

Revision ID: 3c8f2a6d1e95
Revises: c4e8a2f61d05
Create Date: 2026-12-01 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "3c8f2a6d1e95"
down_revision: str | None = "c4e8a2f61d05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mediation_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("party", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("asked_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=True),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "person_id"),
    )
    with op.batch_alter_table("mediation_answer") as batch:
        batch.create_index(batch.f("ix_mediation_answer_person_id"), ["person_id"], unique=False)
        batch.create_index(batch.f("ix_mediation_answer_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mediation_answer") as batch:
        batch.drop_index(batch.f("ix_mediation_answer_ticket_id"))
        batch.drop_index(batch.f("ix_mediation_answer_person_id"))
    op.drop_table("mediation_answer")
