"""The verified-residency migration on a database with bindings made before it: the office's
imports and approvals stay verified; chat self-claims become claims that no longer own a flat."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

import models  # noqa: F401
from bot.db import create_db_engine
from bot.migrate import upgrade

BEFORE = "a7c3d1f05e28"  # the revision right before the residency migration
POSTGRES_URL = os.environ.get("HGJ_TEST_POSTGRES_URL", "")


SCHEMA = "residency_migration"  # on PostgreSQL: a schema of its own, the suite's tables untouched


def _engine(tmp_path: Path, backend: str) -> Engine:
    if backend == "sqlite":
        return create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    admin = create_db_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    joiner = "&" if "?" in POSTGRES_URL else "?"
    return create_db_engine(f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{SCHEMA}")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"])
def test_existing_bindings_are_sorted_into_verified_and_claimed(tmp_path: Path, backend: str) -> None:
    engine = _engine(tmp_path, backend)
    sqlite = backend == "sqlite"
    upgrade(engine, BEFORE)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    people = [
        # openid, name, phone, role, wecom, room, is_owner
        ("imported-owner", "王秀兰", "13800000001", "resident", None, 1, True),
        ("chat-claim", "", "", "resident", None, 2, True),
        ("approved-member", "", "", "resident", None, 1, False),
        ("building-head", "陈红梅", "13800000002", "building_head", "wx-chen", 3, True),
        ("registered", "赵磊", "13900000009", "resident", None, 4, True),
    ]
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO community (id, name, hotline) VALUES (1, 'x', '')"))
        connection.execute(
            text("INSERT INTO building (id, community_id, number, group_webhook) VALUES (1, 1, '3', '')")
        )
        for room in range(1, 5):
            connection.execute(
                text("INSERT INTO room (id, building_id, unit, room, area) VALUES (:id, 1, '2', :room, 90)"),
                {"id": room, "room": f"{room}01"},
            )
        for index, (openid, name, phone, role, wecom, room, owner) in enumerate(people, start=1):
            connection.execute(
                text(
                    "INSERT INTO person (id, openid, wecom_userid, name, role, phone, room_id, is_owner,"
                    " skills, subscribed, created_at) VALUES (:id, :openid, :wecom, :name, :role, :phone,"
                    " :room, :owner, '[]', :yes, :at)"
                ),
                {
                    "id": index,
                    "openid": openid,
                    "wecom": wecom,
                    "name": name,
                    "role": role,
                    "phone": phone,
                    "room": room,
                    "owner": owner,
                    "yes": True,
                    "at": at.isoformat() if sqlite else at,
                },
            )
        connection.execute(
            text(
                "INSERT INTO binding_request (person_id, building, unit, room, room_id, reason, status,"
                " created_at, decided_at, decided_by, note) VALUES (3, '3', '2', '101', 1, 'owner_exists',"
                " 'approved', :at, :at, 'admin:吴小燕#1', '')"
            ),
            {"at": at.isoformat() if sqlite else at},
        )
        connection.execute(
            text(
                "INSERT INTO householder (room_id, name, phone, updated_at)"
                " VALUES (4, '赵磊', '13900000009', :at)"
            ),
            {"at": at.isoformat() if sqlite else at},
        )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.openid, r.status, r.via, r.relationship, r.verified_by_tag, p.is_owner"
                " FROM residency r JOIN person p ON p.id = r.person_id ORDER BY p.id"
            )
        ).all()
    engine.dispose()
    found = {row[0]: tuple(row[1:]) for row in rows}
    assert found["imported-owner"] == ("verified", "import", "owner", "import", True)
    assert found["chat-claim"] == ("claimed", "", "owner", "", False)  # no longer owns 201
    assert found["approved-member"] == ("verified", "approval", "member", "admin:吴小燕#1", False)
    assert found["building-head"][:2] == ("verified", "import")
    assert found["registered"][:2] == ("verified", "register")
