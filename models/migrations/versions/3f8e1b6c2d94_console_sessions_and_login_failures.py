"""console sessions apart from API tokens, and failed console logins

Revision ID: 3f8e1b6c2d94
Revises: 9c4d2f7a1e60
Create Date: 2026-12-02 02:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "3f8e1b6c2d94"
down_revision: str | None = "9c4d2f7a1e60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_hash"),
    )
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_session_token_hash"), ["token_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_session_token_id"), ["token_id"], unique=False)

    op.create_table(
        "console_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("console_login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_login_failure_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_login_failure_account"), ["account"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("console_login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_login_failure_account"))
        batch_op.drop_index(batch_op.f("ix_console_login_failure_client"))
        batch_op.drop_index(batch_op.f("ix_console_login_failure_at"))
    op.drop_table("console_login_failure")
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_session_token_id"))
        batch_op.drop_index(batch_op.f("ix_console_session_token_hash"))
    op.drop_table("console_session")
