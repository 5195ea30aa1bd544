"""Visit outcomes (见到本人 / 无人应答 / 住院或外出 / 需要帮助), the ticket a visit opened, paused rotas.

Revision ID: 7a3c9e1f5b64
Revises: 6a2d9e4f1b37
Create Date: 2026-12-01 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "7a3c9e1f5b64"
down_revision: str | None = "6a2d9e4f1b37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visit_rota", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paused_until", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("pause_reason", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("visit_record", schema=None) as batch_op:
        # Visits recorded before outcomes existed were all counted as done.
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=False, server_default="seen"))
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_visit_record_ticket_id_ticket", "ticket", ["ticket_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("visit_record", schema=None) as batch_op:
        batch_op.drop_constraint("fk_visit_record_ticket_id_ticket", type_="foreignkey")
        batch_op.drop_column("ticket_id")
        batch_op.drop_column("outcome")
    with op.batch_alter_table("visit_rota", schema=None) as batch_op:
        batch_op.drop_column("pause_reason")
        batch_op.drop_column("paused_until")
        batch_op.drop_column("paused_at")
