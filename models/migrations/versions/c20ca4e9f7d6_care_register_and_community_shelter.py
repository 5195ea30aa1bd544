"""care_recipient: people who need care first (重点关爱对象); community.shelter (应急避难场所)

Revision ID: c20ca4e9f7d6
Revises: f17a0b5c8d31
Create Date: 2026-12-01 17:48:42.664392
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "c20ca4e9f7d6"
down_revision: str | None = "d19de1b2c3a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "care_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "elder_alone", "disability", "illness", "child", name="carekind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("needs", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("contact_person_id", sa.Integer(), nullable=True),
        sa.Column(
            "consent_by",
            sa.Enum("person", "guardian", name="consentby", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("consent_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("consented_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["room.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("room_id", "name"),
    )
    with op.batch_alter_table("care_recipient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_recipient_contact_person_id"), ["contact_person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_care_recipient_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_recipient_room_id"), ["room_id"], unique=False)

    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shelter", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("shelter")

    with op.batch_alter_table("care_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_recipient_room_id"))
        batch_op.drop_index(batch_op.f("ix_care_recipient_person_id"))
        batch_op.drop_index(batch_op.f("ix_care_recipient_contact_person_id"))

    op.drop_table("care_recipient")
