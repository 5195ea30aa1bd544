"""at most one owner per room, as a partial unique index

Revision ID: 9c4d2f7a1e60
Revises: 7b2e41c9d8a3
Create Date: 2026-12-01 03:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c4d2f7a1e60"
down_revision: str | None = "7b2e41c9d8a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database that already has two owners for one room keeps the first one bound as owner;
    # the others stay bound to the room as household members (an admin can record co-owners).
    op.execute(
        "UPDATE person SET is_owner = false WHERE is_owner AND room_id IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM person WHERE is_owner AND room_id IS NOT NULL GROUP BY room_id)"
    )
    op.create_index(
        "ux_person_one_owner_per_room",
        "person",
        ["room_id"],
        unique=True,
        sqlite_where=sa.text("is_owner"),
        postgresql_where=sa.text("is_owner"),
    )


def downgrade() -> None:
    op.drop_index("ux_person_one_owner_per_room", table_name="person")
