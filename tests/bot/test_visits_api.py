"""The visits API: rotas refused in the past, listed with pages, paused, resumed, reassigned;
visits recorded with an explicit outcome; a grid worker kept to their grid."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from models.access import ApiRole, issue_token
from models.people import person_by_openid

ROTAS = "/api/v1/visits/rotas"


def _token(engine: Engine, clock: ManualClock, openid: str) -> dict[str, str]:
    with Session(engine) as session, session.begin():
        person = person_by_openid(session, openid)
        token = issue_token(session, name=openid, role=ApiRole.grid_worker, person=person, now=clock.now())
    return {"Authorization": f"Bearer {token}"}


def test_rotas_are_refused_in_the_past_listed_paused_resumed_and_reassigned(
    demo: None, clock: ManualClock, app_client: TestClient, admin_headers: dict[str, str]
) -> None:
    past = app_client.post(
        ROTAS,
        json={
            "elder_openid": "demo-elder-liu",
            "volunteer_openid": "demo-resident-wang",
            "first_due_at": (clock.now() - timedelta(hours=1)).isoformat(),
        },
        headers=admin_headers,
    )
    assert past.status_code == 422 and past.json()["detail"]["reason"] == "first_due_in_past"
    created = app_client.post(
        ROTAS,
        json={
            "elder_openid": "demo-elder-liu",
            "volunteer_openid": "demo-resident-wang",
            "first_due_at": (clock.now() + timedelta(days=2)).isoformat(),
        },
        headers=admin_headers,
    )
    assert created.status_code == 201
    rota = created.json()["id"]

    listed = app_client.get(ROTAS, params={"limit": 1}, headers=admin_headers)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"  # with the demo's own
    body = listed.json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["next"] == 1
    assert body["items"][0]["elder"]["name"] == "刘桂芳" and body["items"][0]["state"] == "running"
    mine = app_client.get(ROTAS, params={"volunteer": "demo-resident-wang"}, headers=admin_headers).json()
    assert [r["id"] for r in mine["items"]] == [rota]

    back = (clock.now() + timedelta(days=9)).isoformat()
    paused = app_client.post(
        f"{ROTAS}/{rota}/pause", json={"until": back, "reason": "住院"}, headers=admin_headers
    )
    assert paused.status_code == 200 and paused.json()["state"] == "paused"
    assert paused.json()["pause_reason"] == "住院"
    assert [
        r["id"]
        for r in app_client.get(ROTAS, params={"state": "paused"}, headers=admin_headers).json()["items"]
    ] == [rota]
    stale = app_client.post(
        f"{ROTAS}/{rota}/pause", json={"until": clock.now().isoformat()}, headers=admin_headers
    )
    assert stale.status_code == 422 and stale.json()["detail"]["reason"] == "until_in_past"
    resumed = app_client.post(f"{ROTAS}/{rota}/resume", headers=admin_headers)
    assert resumed.status_code == 200 and resumed.json()["state"] == "running"

    moved = app_client.post(
        f"{ROTAS}/{rota}/reassign", json={"volunteer_openid": "demo-resident-li"}, headers=admin_headers
    )
    assert moved.status_code == 200 and moved.json()["volunteer"]["name"] == "李建国"
    same = app_client.post(
        f"{ROTAS}/{rota}/reassign", json={"volunteer_openid": "demo-elder-liu"}, headers=admin_headers
    )
    assert same.status_code == 422 and same.json()["detail"]["reason"] == "same_person"
    assert app_client.post(f"{ROTAS}/999/resume", headers=admin_headers).status_code == 404


def test_a_visit_recorded_with_an_explicit_outcome(
    demo: None, clock: ManualClock, app_client: TestClient, admin_headers: dict[str, str]
) -> None:
    rota = app_client.post(
        ROTAS,
        json={
            "elder_openid": "demo-elder-liu",
            "volunteer_openid": "demo-resident-wang",
            "first_due_at": (clock.now() + timedelta(hours=2)).isoformat(),
        },
        headers=admin_headers,
    ).json()["id"]
    visit = {"volunteer_openid": "demo-resident-wang", "rota_id": rota}
    missed = app_client.post("/api/v1/visits", json={**visit, "outcome": "无人应答"}, headers=admin_headers)
    assert missed.status_code == 201, missed.text
    assert missed.json()["counted"] is False and missed.json()["ticket"].startswith("E")
    seen = app_client.post(
        "/api/v1/visits", json={**visit, "outcome": "seen", "note": "在家，挺好"}, headers=admin_headers
    )
    assert seen.json()["counted"] is True and seen.json()["closed_checks"] == [missed.json()["ticket"]]
    bad = app_client.post("/api/v1/visits", json={**visit, "outcome": "还行"}, headers=admin_headers)
    assert bad.status_code == 422 and bad.json()["detail"]["reason"] == "outcome"
    stranger = app_client.post(
        "/api/v1/visits",
        json={"volunteer_openid": "demo-resident-li", "outcome": "seen"},
        headers=admin_headers,
    )
    assert stranger.status_code == 422 and stranger.json()["detail"]["reason"] == "no_rota"


def test_a_grid_worker_sees_and_changes_only_rotas_in_their_grid(
    demo: None, engine: Engine, clock: ManualClock, app_client: TestClient
) -> None:
    theirs = _token(engine, clock, "demo-grid-sun")  # 第二网格: 3栋, where 刘桂芳 lives
    other = _token(engine, clock, "demo-grid-liu")  # 第一网格: 1栋 and 2栋
    listed = app_client.get(ROTAS, headers=theirs).json()
    assert listed["total"] == 1
    rota = listed["items"][0]["id"]
    assert app_client.get(ROTAS, headers=other).json()["total"] == 0
    refused = app_client.post(f"{ROTAS}/{rota}/pause", json={}, headers=other)
    assert refused.status_code == 403 and "outside your grid" in refused.json()["detail"]
    assert app_client.post(f"{ROTAS}/{rota}/pause", json={}, headers=theirs).json()["state"] == "paused"
