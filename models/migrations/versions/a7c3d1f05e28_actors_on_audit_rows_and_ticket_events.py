"""Every action has an actor: audit rows name the person behind the token, ticket events name
who acted when no person did (a config token, a scheduler job) and whom a ticket went to.

Revision ID: a7c3d1f05e28
Revises: 7a3c9e1f5b64
Create Date: 2026-12-01 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a7c3d1f05e28"
down_revision: str | None = "7a3c9e1f5b64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "actor_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("actor_person_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_log_actor_name"), ["actor_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_actor_person_id"), ["actor_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "actor_label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("target_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_ticket_event_target_id_person", "person", ["target_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ticket_event_target_id_person", type_="foreignkey")
        batch_op.drop_column("target_id")
        batch_op.drop_column("actor_label")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_person_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_name"))
        batch_op.drop_column("actor_person_id")
        batch_op.drop_column("actor_name")
