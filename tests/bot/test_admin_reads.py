"""Admin reads never wait for (or hold) the write gate; lists come in pages; large imports run
in the background with progress."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.chunked import INLINE_ROWS
from bot.db import write_lock

BUILDINGS = ("1", "2", "3", "5")


def roster(rows: int) -> bytes:
    lines = ["楼栋,单元,房号,面积,姓名,电话"]
    for i in range(rows):
        lines.append(f"{BUILDINGS[i % 4]},{i // 4 % 6 + 1},{1000 + i // 24},88,住户{i:05d},")
    return ("\n".join(lines) + "\n").encode()


def test_a_list_answers_while_the_write_gate_is_held(
    app_client: TestClient, admin_headers: dict[str, str], engine: Engine, demo: None
) -> None:
    gate = write_lock(engine)
    if gate is None:
        return  # PostgreSQL has no gate
    answers: list[int] = []
    with gate:  # a long write elsewhere in this process
        reader = threading.Thread(
            target=lambda: answers.append(
                app_client.get("/api/v1/tickets", headers=admin_headers).status_code
            )
        )
        reader.start()
        reader.join(timeout=10)
        assert answers == [200]  # answered while the gate was still held


def test_lists_come_in_pages_with_the_total_and_a_link_to_the_next(
    app_client: TestClient, admin_headers: dict[str, str], demo: None
) -> None:
    created = app_client.post("/api/v1/residents/import", content=roster(250), headers=admin_headers)
    assert created.status_code == 201 and created.json()["people_created"] == 250
    first = app_client.get("/api/v1/residents", headers=admin_headers)
    body = first.json()
    assert len(body["items"]) == 100 and body["total"] == 250 and body["next"] == 100
    assert first.headers["X-Total-Count"] == "250"
    assert 'rel="next"' in first.headers["Link"] and "offset=100" in first.headers["Link"]
    last = app_client.get("/api/v1/residents?limit=100&offset=200", headers=admin_headers)
    assert len(last.json()["items"]) == 50 and last.json()["next"] is None and "Link" not in last.headers
    seen = {
        item["name"]
        for offset in (0, 100, 200)
        for item in app_client.get(f"/api/v1/residents?offset={offset}", headers=admin_headers).json()[
            "items"
        ]
    }
    assert len(seen) == 250  # the pages neither overlap nor leave anyone out
    assert app_client.get("/api/v1/residents?limit=5000", headers=admin_headers).status_code == 422
    assert app_client.get("/api/v1/tickets?limit=0", headers=admin_headers).status_code == 422


def test_every_list_endpoint_documents_its_paging(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    lists = [
        "/api/v1/binding-requests",
        "/api/v1/residents",
        "/api/v1/tickets",
        "/api/v1/activities",
        "/api/v1/activities/{activity_id}/signups",
        "/api/v1/rewards",
        "/api/v1/redemptions",
        "/api/v1/notices",
        "/api/v1/ledger/entries",
        "/api/v1/proposals",
        "/api/v1/knowledge",
        "/api/v1/knowledge-questions",
        "/api/v1/outbox",
    ]
    for path in lists:
        names = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert {"limit", "offset"} <= names, path


def test_a_large_roster_is_imported_in_the_background_with_progress(
    app_client: TestClient, admin_headers: dict[str, str], demo: None
) -> None:
    rows = INLINE_ROWS + 500
    posted = app_client.post("/api/v1/residents/import", content=roster(rows), headers=admin_headers)
    assert posted.status_code == 202
    assert posted.json()["lines"] == rows and posted.headers["Location"].startswith("/api/v1/operations/")
    deadline = time.monotonic() + 60
    while (operation := app_client.get(posted.headers["Location"], headers=admin_headers).json())[
        "status"
    ] == ("running"):
        assert 0 <= operation["done"] <= operation["total"] == rows
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert operation["status"] == "done" and operation["progress"] == 1.0
    assert operation["detail"]["report"]["people_created"] == rows
    total = app_client.get("/api/v1/residents?limit=1", headers=admin_headers).json()["total"]
    assert total == rows
    again = app_client.post("/api/v1/residents/import", content=roster(50), headers=admin_headers)
    assert again.json()["unchanged"] == 50  # idempotent, and small files are imported at once


def test_redemptions_are_filtered_by_their_status_by_name(
    app_client: TestClient, admin_headers: dict[str, str], engine: Engine, demo: None
) -> None:
    from datetime import UTC, datetime

    from sqlmodel import Session, select

    from models.people import Person
    from models.points import correct
    from models.rewards import cancel_redemption, create_reward, redeem

    now = datetime(2026, 11, 23, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        wang = session.exec(select(Person).where(Person.openid == "demo-resident-wang")).one()
        assert wang.id is not None
        correct(session, person_id=wang.id, amount=10, reason="测试", operator="test", now=now)
        towel = create_reward(session, name="毛巾", cost=2, stock=3, now=now)
        assert towel.id is not None
        kept = redeem(session, reward_id=towel.id, person_id=wang.id, now=now)
        dropped = redeem(session, reward_id=towel.id, person_id=wang.id, now=now)
        assert (
            kept.redemption is not None
            and dropped.redemption is not None
            and dropped.redemption.id is not None
        )
        cancel_redemption(session, redemption_id=dropped.redemption.id, now=now, by="test")
        kept_id, dropped_id = kept.redemption.id, dropped.redemption.id
    listed = {
        state: [item["id"] for item in app_client.get(
            f"/api/v1/redemptions?status={state}", headers=admin_headers
        ).json()["items"]]
        for state in ("pending", "cancelled")
    }  # fmt: skip
    assert listed == {"pending": [kept_id], "cancelled": [dropped_id]}
    wrong = app_client.get("/api/v1/redemptions?status=lost", headers=admin_headers)
    assert wrong.status_code == 422 and "status" in wrong.text
