"""unanswered questions kept for the knowledge base

Revision ID: 7b2e41c9d8a3
Revises: 5d0c8a9e7f21
Create Date: 2026-12-01 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "7b2e41c9d8a3"
down_revision: str | None = "5d0c8a9e7f21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unanswered_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "answered", "dismissed", name="questionstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("entry_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("suggested", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("first_asked_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_asked_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_unanswered_question_status", "unanswered_question", ["status"])
    op.create_index("ix_unanswered_question_last_asked_at", "unanswered_question", ["last_asked_at"])


def downgrade() -> None:
    op.drop_index("ix_unanswered_question_last_asked_at", table_name="unanswered_question")
    op.drop_index("ix_unanswered_question_status", table_name="unanswered_question")
    op.drop_table("unanswered_question")
