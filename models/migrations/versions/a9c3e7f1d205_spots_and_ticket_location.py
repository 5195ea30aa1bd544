"""spots (码上办 QR codes), building and ticket locations, ticket.spot_id

Revision ID: a9c3e7f1d205
Revises: 7d1e5b3a9c42
Create Date: 2026-12-01 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a9c3e7f1d205"
down_revision: str | None = "7d1e5b3a9c42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("building", "unit", "lift", "gate", "bin", "other")


def upgrade() -> None:
    op.create_table(
        "spot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="spotkind", native_enum=False, length=32), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["building_id"], ["building.id"]),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("spot") as batch:
        batch.create_index(batch.f("ix_spot_building_id"), ["building_id"], unique=False)
        batch.create_index(batch.f("ix_spot_community_id"), ["community_id"], unique=False)
    with op.batch_alter_table("building") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("spot_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.create_foreign_key("fk_ticket_spot_id_spot", "spot", ["spot_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_constraint("fk_ticket_spot_id_spot", type_="foreignkey")
        batch.drop_column("longitude")
        batch.drop_column("latitude")
        batch.drop_column("spot_id")
    with op.batch_alter_table("building") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
    op.drop_table("spot")
