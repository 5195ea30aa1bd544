"""evaluation, evaluation_answer: 物业服务评议 and its households' answers (#19)

Revision ID: e19e7a1c0b25
Revises: f17a0b5c8d31
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "e19e7a1c0b25"
down_revision: str | None = "f17a0b5c8d31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "published", name="evaluationstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("opened_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_closes_at"), ["closes_at"], unique=False)
    op.create_table(
        "evaluation_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "room_id"),
    )
    with op.batch_alter_table("evaluation_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_answer_evaluation_id"), ["evaluation_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("evaluation_answer")
    op.drop_table("evaluation")
