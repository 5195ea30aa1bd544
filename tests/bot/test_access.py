"""Roles on the admin API: every endpoint refuses the wrong role; changes are audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import ApiRole, AuditEntry, issue_token, revoke_token
from models.people import person_by_openid
from tests.support.wechat import WeChatSim

TokenFactory = Callable[[ApiRole], dict[str, str]]


@pytest.fixture
def token_for(engine: Engine, clock: ManualClock, demo: None) -> TokenFactory:
    people = {
        ApiRole.admin: "demo-admin-wu",
        ApiRole.secretary: "demo-secretary-zhou",
        ApiRole.staff: "demo-staff-wang",
        ApiRole.grid_worker: "demo-grid-liu",
    }

    def make(role: ApiRole) -> dict[str, str]:
        with Session(engine) as session, session.begin():
            person = person_by_openid(session, people[role])
            token = issue_token(session, name=f"test-{role}", role=role, person=person, now=clock.now())
        return {"Authorization": f"Bearer {token}"}

    return make


def _proposal_body(clock: ManualClock) -> dict[str, object]:
    return {"title": "t", "matter": 1, "votes_close_at": (clock.now() + timedelta(days=3)).isoformat()}


def test_role_matrix(wechat: WeChatSim, token_for: TokenFactory, clock: ManualClock) -> None:
    client = wechat.client
    matrix: list[tuple[str, str, dict[str, object] | None, set[ApiRole]]] = [
        ("GET", "/api/v1/binding-requests", None, {ApiRole.admin}),
        ("POST", "/api/v1/binding-requests/999/approve", {}, {ApiRole.admin}),
        ("POST", "/api/v1/binding-requests/999/reject", {}, {ApiRole.admin}),
        ("GET", "/api/v1/proposals", None, set(ApiRole)),
        ("POST", "/api/v1/proposals", _proposal_body(clock), {ApiRole.admin}),
        ("POST", "/api/v1/proposals/999/publish", None, {ApiRole.admin}),
        (
            "POST",
            "/api/v1/proposals/999/ballots",
            {"building": "3", "room": "1", "choice": "agree"},
            {ApiRole.admin},
        ),
    ]
    for role in ApiRole:
        headers = token_for(role)
        for method, path, body, allowed in matrix:
            response = client.request(method, path, json=body, headers=headers)
            if role in allowed:
                assert response.status_code not in (401, 403), (role, path, response.text)
            else:
                assert response.status_code == 403, (role, path, response.status_code)
                assert role.value in response.json()["detail"]
        for method, path, body, _ in matrix:
            assert client.request(method, path, json=body).status_code == 401


def test_revoked_tokens_stop_working(
    wechat: WeChatSim, token_for: TokenFactory, engine: Engine, clock: ManualClock
) -> None:
    headers = token_for(ApiRole.admin)
    assert wechat.client.get("/api/v1/binding-requests", headers=headers).status_code == 200
    with Session(engine) as session, session.begin():
        revoke_token(session, token_id=1, now=clock.now())
    assert wechat.client.get("/api/v1/binding-requests", headers=headers).status_code == 401


def test_a_grid_worker_token_needs_a_grid(engine: Engine, clock: ManualClock, demo: None) -> None:
    with Session(engine) as session, session.begin():
        resident = person_by_openid(session, "demo-resident-wang")
        with pytest.raises(ValueError, match="grid"):
            issue_token(session, name="x", role=ApiRole.grid_worker, person=resident, now=clock.now())


def test_changes_are_audited_with_who_did_them(
    wechat: WeChatSim, token_for: TokenFactory, session: Session
) -> None:
    wechat.send("family", "绑定")
    wechat.send("family", "3栋2单元1502")  # not on file: a request for the admin
    headers = token_for(ApiRole.admin)
    request_id = wechat.client.get("/api/v1/binding-requests", headers=headers).json()["items"][0]["id"]
    wechat.client.post(
        f"/api/v1/binding-requests/{request_id}/reject", json={"note": "请业主本人申请"}, headers=headers
    )
    session.rollback()
    entry = session.exec(select(AuditEntry)).one()
    assert entry.action == "binding.reject" and entry.actor.startswith("admin:test-admin")
    assert entry.target == f"binding_request:{request_id}" and entry.detail == {"note": "请业主本人申请"}
