"""Verified residency: a binding is a claim until the building head, an admin or the owners'
register verifies it; ballots keep the verification behind them; the register says 关系.

Existing bindings (every person with a home, not erased) get one residency each:

- verified ``via approval`` when an admin approved a binding request of theirs (the decider kept);
- verified ``via register`` when their name, phone and flat are on the householder roster;
- verified ``via import`` when the office's community import made them: staff roles (building
  heads, grid workers, staff, secretaries, admins), anyone with a WeCom account, and residents
  with both a name and a phone on file (chat binding asks neither; the import file gives both);
- otherwise a *claim* (a chat self-claim): its ``is_owner`` flag is cleared, so it no longer
  counts as the owner in a tally until the building head verifies it (the heads see it with
  「待核实」). Relationship: owner where ``is_owner`` was set, else household member.

Ballots already cast keep an empty verification (shown as 「无核实记录」). Downgrade drops the
new table and columns; the cleared ``is_owner`` flags are not restored.

Revision ID: a7c3e9d1f5b2
Revises: a7c3d1f05e28
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "a7c3e9d1f5b2"
down_revision: str | None = "a7c3d1f05e28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPROVED = "SELECT 1 FROM binding_request b WHERE b.person_id = p.id AND b.status = 'approved'"
_LAST_APPROVAL = (
    "SELECT b.{column} FROM binding_request b WHERE b.person_id = p.id AND b.status = 'approved' "
    "ORDER BY b.id DESC LIMIT 1"
)
_ON_REGISTER = (
    "SELECT 1 FROM householder h WHERE h.room_id = p.room_id AND h.name = p.name "
    "AND h.phone = p.phone AND p.name <> '' AND p.phone <> ''"
)
_IMPORTED = "(p.role <> 'resident' OR p.wecom_userid IS NOT NULL OR (p.name <> '' AND p.phone <> ''))"
_BACKFILL = f"""
INSERT INTO residency (person_id, room_id, relationship, status, via, verified_by, verified_by_tag,
                       claimed_at, verified_at, ended_at, note)
SELECT p.id, p.room_id,
       CASE WHEN p.is_owner THEN 'owner' ELSE 'member' END,
       CASE WHEN EXISTS ({_APPROVED}) OR EXISTS ({_ON_REGISTER}) OR {_IMPORTED}
            THEN 'verified' ELSE 'claimed' END,
       CASE WHEN EXISTS ({_APPROVED}) THEN 'approval'
            WHEN EXISTS ({_ON_REGISTER}) THEN 'register'
            WHEN {_IMPORTED} THEN 'import' ELSE '' END,
       CASE WHEN EXISTS ({_APPROVED}) THEN '管理员'
            WHEN EXISTS ({_ON_REGISTER}) THEN '业主名册'
            WHEN {_IMPORTED} THEN '物业导入' ELSE '' END,
       CASE WHEN EXISTS ({_APPROVED}) THEN ({_LAST_APPROVAL.format(column="decided_by")})
            WHEN EXISTS ({_ON_REGISTER}) THEN 'register'
            WHEN {_IMPORTED} THEN 'import' ELSE '' END,
       p.created_at,
       CASE WHEN EXISTS ({_APPROVED}) THEN ({_LAST_APPROVAL.format(column="decided_at")})
            WHEN EXISTS ({_ON_REGISTER}) OR {_IMPORTED} THEN p.created_at END,
       NULL, ''
FROM person p
WHERE p.room_id IS NOT NULL AND p.erased_at IS NULL
"""


def upgrade() -> None:
    op.create_table(
        "residency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column(
            "relationship",
            sa.Enum("owner", "member", "tenant", name="relationship", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "claimed",
                "verified",
                "refused",
                "ended",
                name="residencystatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("verified_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("verified_by_tag", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("claimed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("residency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_residency_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_residency_room_id"), ["room_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_residency_status"), ["status"], unique=False)
    with op.batch_alter_table("householder", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "relationship", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default=""
            )
        )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification", sa.JSON(), nullable=False, server_default="{}"))
    bind = op.get_bind()
    bind.execute(sa.text(_BACKFILL))
    bind.execute(
        sa.text(
            "UPDATE person SET is_owner = :no WHERE is_owner AND id IN "
            "(SELECT person_id FROM residency WHERE status = 'claimed')"
        ),
        {"no": False},
    )


def downgrade() -> None:
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_column("verification")
    with op.batch_alter_table("householder", schema=None) as batch_op:
        batch_op.drop_column("relationship")
    with op.batch_alter_table("residency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_residency_status"))
        batch_op.drop_index(batch_op.f("ix_residency_room_id"))
        batch_op.drop_index(batch_op.f("ix_residency_person_id"))
    op.drop_table("residency")
