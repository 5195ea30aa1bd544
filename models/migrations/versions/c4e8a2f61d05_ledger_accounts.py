"""三公开 accounts, corrections, import hashes and publications; entries move into 公共收益.

Revision ID: c4e8a2f61d05
Revises: 7a2c9e4f1b63
Create Date: 2026-12-01 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "c4e8a2f61d05"
down_revision: str | None = "7a2c9e4f1b63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    account = op.create_table(
        "ledger_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("opening_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("monthly", sa.Boolean(), nullable=False),
        sa.Column("yearly", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # Existing entries move into 公共收益 (id 1); a database without entries gets its accounts
    # from the community's seeds or, at the first entry, the default set.
    for id_, name, yearly in ((1, "公共收益", False), (2, "专项维修资金", True)):
        op.execute(
            account.insert().from_select(
                ["id", "name", "opening_fen", "monthly", "yearly", "position"],
                sa.select(
                    sa.literal(id_),
                    sa.literal(name),
                    sa.literal(0),
                    sa.true(),
                    sa.literal(yearly),
                    sa.literal(id_ - 1),
                ).where(sa.exists(sa.select(sa.literal(1)).select_from(sa.table("ledger_entry")))),
            )
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('ledger_account', 'id'), "
            "COALESCE((SELECT MAX(id) FROM ledger_account), 0) + 1, false)"
        )
    op.create_table(
        "ledger_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["ledger_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "month", "digest"),
    )
    op.create_index(op.f("ix_ledger_import_account_id"), "ledger_import", ["account_id"], unique=False)
    op.create_table(
        "ledger_publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("published_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period", "number"),
    )
    op.create_index(op.f("ix_ledger_publication_period"), "ledger_publication", ["period"], unique=False)
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_ledger_entry_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_corrects_id"), ["corrects_id"], unique=False)
        batch_op.create_foreign_key("fk_ledger_entry_account_id", "ledger_account", ["account_id"], ["id"])
        batch_op.create_foreign_key("fk_ledger_entry_corrects_id", "ledger_entry", ["corrects_id"], ["id"])
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.alter_column("account_id", server_default=None)
        batch_op.alter_column("reason", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ledger_entry_corrects_id", type_="foreignkey")
        batch_op.drop_constraint("fk_ledger_entry_account_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_ledger_entry_corrects_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_account_id"))
        batch_op.drop_column("reason")
        batch_op.drop_column("corrects_id")
        batch_op.drop_column("account_id")
    op.drop_index(op.f("ix_ledger_publication_period"), table_name="ledger_publication")
    op.drop_table("ledger_publication")
    op.drop_index(op.f("ix_ledger_import_account_id"), table_name="ledger_import")
    op.drop_table("ledger_import")
    op.drop_table("ledger_account")
