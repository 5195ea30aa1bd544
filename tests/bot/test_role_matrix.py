"""The role matrix of the admin API: every endpoint × every role, and a grid worker kept to their grid."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import ApiRole, AuditEntry, issue_token
from models.people import Person, person_by_openid
from models.tickets import Ticket, create_ticket
from tests.support.routes import served_operations
from tests.support.wechat import WeChatSim

A, S, T, G = ApiRole.admin, ApiRole.secretary, ApiRole.staff, ApiRole.grid_worker
ALL = {A, S, T, G}
PEOPLE = {A: "demo-admin-wu", S: "demo-secretary-zhou", T: "demo-staff-wang", G: "demo-grid-liu"}
NAMED = {A: "管理员吴小燕", S: "周书记", T: "王师傅", G: "网格员刘志强"}  # the person behind each token
READS = {"/api/v1/notices/preview", "/api/v1/knowledge/preview"}  # POSTs that change nothing
CSV = "楼栋,单元,房号,面积,姓名,电话\n1,1,101,89.5,李建国,13800000001\n"
Headers = dict[str, str]


@pytest.fixture
def tokens(engine: Engine, clock: ManualClock, demo: None) -> dict[ApiRole, Headers]:
    headers = {}
    with Session(engine) as session, session.begin():
        for role, openid in PEOPLE.items():
            person = person_by_openid(session, openid)
            token = issue_token(session, name=f"m-{role}", role=role, person=person, now=clock.now())
            headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


def _ticket_of(wechat: WeChatSim, engine: Engine, openid: str) -> int:
    wechat.send(openid, "厨房水管漏水了")
    wechat.send(openid, "是")
    with Session(engine) as session:
        reporter = person_by_openid(session, openid)
        assert reporter is not None
        ticket = session.exec(select(Ticket).where(Ticket.reporter_id == reporter.id)).one()
        return ticket.id  # type: ignore[return-value]


def _fresh_ticket(engine: Engine, clock: ManualClock, like: int) -> int:
    """Another submitted ticket in the same building, so each role's dispatch, transfer and close succeed."""
    with Session(engine) as session, session.begin():
        first = session.get(Ticket, like)
        assert first is not None
        ticket = create_ticket(
            session,
            kind=first.kind,
            reporter_id=first.reporter_id,
            due_at=first.due_at,
            now=clock.now(),
            building_id=first.building_id,
            description="楼道灯不亮",
        )
        return ticket.id  # type: ignore[return-value]


def _person_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Person.id).where(Person.name == name)).one()  # type: ignore[return-value]


Row = tuple[str, str, Any, set[ApiRole]]


def _matrix(ticket: int, worker: int, clock: ManualClock) -> list[Row]:
    later = (clock.now() + timedelta(days=3)).isoformat()
    activity = {"title": "t", "starts_at": later, "capacity": 5}
    notice = {"title": "停水", "body": "明天停水", "audience": {"all": True}}
    entry = {"title": "t", "answer": "a", "source": "s"}
    ledger = {"entries": [{"month": "2026-10", "kind": "income", "item": "停车费", "amount_fen": 100}]}
    return [
        ("GET", "/api/v1/outbox", None, {A}),
        ("POST", "/api/v1/outbox/999/retry", None, {A}),
        ("GET", "/api/v1/binding-requests", None, {A}),
        ("POST", "/api/v1/binding-requests/999/approve", {}, {A}),
        ("POST", "/api/v1/binding-requests/999/reject", {}, {A}),
        ("GET", "/api/v1/bindings", None, {A}),
        ("POST", "/api/v1/bindings", {"person_id": 999, "room_id": 999}, {A}),
        ("POST", "/api/v1/bindings/999/verify", {}, {A}),
        ("POST", "/api/v1/bindings/999/reject", {}, {A}),
        ("POST", "/api/v1/bindings/999/unbind", None, {A}),
        ("POST", "/api/v1/residents/import", CSV, {A}),
        ("GET", "/api/v1/residents", None, ALL),
        ("GET", "/api/v1/tickets", None, ALL),
        ("GET", f"/api/v1/tickets/{ticket}", None, ALL),
        ("POST", f"/api/v1/tickets/{ticket}/dispatch", {"person_id": worker}, ALL),
        ("POST", f"/api/v1/tickets/{ticket}/transfer", {"person_id": worker}, ALL),
        ("POST", f"/api/v1/tickets/{ticket}/close", {"note": "test"}, ALL),
        ("GET", "/api/v1/stats", None, ALL),
        ("POST", "/api/v1/activities", activity, {A}),
        ("GET", "/api/v1/activities", None, ALL),
        ("GET", "/api/v1/activities/999/signups", None, {A, S}),
        ("POST", "/api/v1/activities/999/attendance", {"openids": ["x"]}, {A}),
        ("POST", "/api/v1/teams", {"name": "巡逻队"}, {A}),
        (
            "POST",
            "/api/v1/visits/rotas",
            {
                "elder_openid": "demo-elder-liu",
                "volunteer_openid": "demo-resident-wang",
                "first_due_at": later,
            },
            {A},
        ),
        ("GET", "/api/v1/visits/rotas", None, {A, S, G}),
        ("POST", "/api/v1/visits/rotas/999/pause", {"reason": "住院"}, {A, G}),
        ("POST", "/api/v1/visits/rotas/999/resume", None, {A, G}),
        ("POST", "/api/v1/visits/rotas/999/reassign", {"volunteer_openid": "demo-resident-li"}, {A, G}),
        ("POST", "/api/v1/visits", {"volunteer_openid": "demo-resident-li", "outcome": "见到本人"}, {A, G}),
        ("GET", "/api/v1/wishes", None, {A, S}),
        ("POST", "/api/v1/wishes/999/approve", None, {A, S}),
        ("POST", "/api/v1/wishes/999/decline", {"reason": "重复"}, {A, S}),
        ("POST", "/api/v1/rewards", {"name": "毛巾", "cost": 5, "stock": 1}, {A}),
        ("GET", "/api/v1/rewards", None, ALL),
        ("POST", "/api/v1/rewards/999/restock", {"add": 1}, {A}),
        ("GET", "/api/v1/redemptions", None, {A, S, T}),
        ("POST", "/api/v1/redemptions/pickup", {"code": "123456"}, {A, T}),
        ("POST", "/api/v1/redemptions/999/cancel", None, {A}),
        ("GET", "/api/v1/points/demo-resident-wang", None, {A, S}),
        (
            "POST",
            "/api/v1/points/corrections",
            {"openid": "demo-resident-wang", "amount": 1, "reason": "补"},
            {A},
        ),
        ("POST", "/api/v1/notices", notice, {A}),
        ("POST", "/api/v1/notices/preview", {"audience": {"all": True}}, {A}),
        ("GET", "/api/v1/notices", None, ALL),
        ("GET", "/api/v1/notices/999", None, ALL),
        ("POST", "/api/v1/notices/999/cancel", None, {A}),
        ("POST", "/api/v1/ledger/entries", ledger, {A}),
        ("GET", "/api/v1/ledger/entries", None, ALL),
        ("GET", "/api/v1/ledger/entries.csv", None, ALL),
        ("POST", "/api/v1/ledger/import", "month,kind,item,amount_yuan\n2026-10,收入,停车费,1\n", {A}),
        ("GET", "/api/v1/ledger/2026-10/summary", None, ALL),
        ("POST", "/api/v1/ledger/2026-10/publish", None, {A}),
        ("GET", "/api/v1/ledger/accounts", None, ALL),
        ("POST", "/api/v1/ledger/entries/999/corrections", {"amount_fen": 1, "reason": "录错"}, {A}),
        ("GET", "/api/v1/ledger/years/2026/summary", None, ALL),
        ("POST", "/api/v1/ledger/years/2026/publish", None, {A}),
        ("GET", "/api/v1/operations/999", None, {A}),
        ("GET", "/api/v1/proposals", None, ALL),
        ("GET", "/api/v1/proposals/999", None, ALL),
        ("POST", "/api/v1/proposals", {"title": "t", "matter": 1, "votes_close_at": later}, {A}),
        ("POST", "/api/v1/proposals/999/publish", None, {A}),
        ("POST", "/api/v1/proposals/999/ballots", {"building": "3", "room": "1", "choice": "agree"}, {A}),
        ("GET", "/api/v1/proposals/999/ballots", None, {A}),
        ("POST", "/api/v1/evaluations", {"period": "2026-Q4", "closes_at": later}, {A}),
        ("GET", "/api/v1/evaluations", None, ALL),
        ("GET", "/api/v1/evaluations/999", None, ALL),
        ("POST", "/api/v1/evaluations/999/close", None, {A}),
        ("GET", "/api/v1/knowledge", None, ALL),
        ("GET", "/api/v1/knowledge/mfd-942", None, ALL),
        ("POST", "/api/v1/knowledge/preview", {"question": "物业费必须交吗"}, ALL),
        ("POST", "/api/v1/knowledge", {"id": "new-1", **entry}, {A}),
        ("PUT", "/api/v1/knowledge/mfd-942", entry, {A}),
        ("PUT", "/api/v1/knowledge-files/x.toml", "", {A}),
        ("GET", "/api/v1/knowledge-questions", None, {A, S, T}),
        ("POST", "/api/v1/knowledge-questions/999/answered", {"entry_id": "mfd-942"}, {A}),
        ("POST", "/api/v1/knowledge-questions/999/dismiss", None, {A}),
        ("GET", "/api/v1/people/nobody/export", None, {A}),
        ("GET", "/api/v1/audit", None, {A}),
        ("POST", "/api/v1/people/nobody/erase", None, {A}),
    ]


def _send(wechat: WeChatSim, method: str, path: str, body: Any, headers: Headers | None) -> Any:
    if isinstance(body, str):
        return wechat.client.request(method, path, content=body.encode(), headers=headers)
    return wechat.client.request(method, path, json=body, headers=headers)


def _audit_rows(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)))  # type: ignore[arg-type]


def test_every_endpoint_refuses_the_wrong_role(
    wechat: WeChatSim, tokens: dict[ApiRole, Headers], engine: Engine, clock: ManualClock
) -> None:
    """…and every change an allowed role makes is audited under the person behind the token."""
    ticket = _ticket_of(wechat, engine, "demo-resident-li")  # 1栋: in grid worker 刘志强's grid
    worker = _person_id(engine, "李师傅")
    matrix = _matrix(ticket, worker, clock)
    changed: set[tuple[ApiRole, str]] = set()
    for role, headers in tokens.items():
        who = (NAMED[role], _person_id(engine, NAMED[role].removeprefix("管理员").removeprefix("网格员")))
        matrix = _matrix(_fresh_ticket(engine, clock, ticket), worker, clock)
        for method, path, body, allowed in matrix:
            before = len(_audit_rows(engine))
            response = _send(wechat, method, path, body, headers)
            if role in allowed:
                assert response.status_code not in (401, 403), (role, method, path, response.text)
                new = _audit_rows(engine)[before:]
                if method != "GET" and path not in READS and response.status_code < 300:
                    assert new, f"{role} {method} {path} changed something without an audit row"
                    changed.add((role, path))
                wrong = [(e.action, e.actor_name) for e in new if (e.actor_name, e.actor_person_id) != who]
                assert wrong == [], (role, method, path)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
                assert role.value in response.json()["detail"]
    for method, path, body, _ in matrix:
        assert _send(wechat, method, path, body, None).status_code == 401, path
    ticket_changes = {(r, p.rsplit("/", 1)[1]) for r, p in changed if p.startswith("/api/v1/tickets/")}
    assert ticket_changes == {(r, a) for r in ALL for a in ("dispatch", "transfer", "close")}
    assert len(changed) > 20  # the admin's changes too: every one was checked


def _matches(template: str, concrete: str) -> bool:
    """Whether a route template such as /api/v1/tickets/{ticket_id} covers a concrete path."""
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return re.fullmatch(pattern, concrete.split("?")[0]) is not None


def test_the_matrix_names_every_endpoint(wechat: WeChatSim, clock: ManualClock) -> None:
    """A new endpoint must be added to the matrix (and so decide who may call it)."""
    rows = _matrix(1, 1, clock)
    served = served_operations(wechat.client.app, prefix="/api/v1")  # type: ignore[arg-type]
    assert len(served) > 40, "the app's /api/v1 operations were not found"
    missing = [
        (method, path)
        for method, path in sorted(served)
        if not any(m == method and _matches(path, row_path) for m, row_path, _, _ in rows)
    ]
    assert missing == []


def test_a_grid_worker_sees_only_their_grid(
    wechat: WeChatSim, tokens: dict[ApiRole, Headers], engine: Engine
) -> None:
    mine = _ticket_of(wechat, engine, "demo-resident-li")  # 1栋, 第一网格
    other = _ticket_of(wechat, engine, "demo-resident-wang")  # 3栋, 第二网格
    grid, admin = tokens[G], tokens[A]
    client, worker = wechat.client, _person_id(engine, "李师傅")
    listed = client.get("/api/v1/tickets", headers=grid).json()
    assert [t["id"] for t in listed["items"]] == [mine]
    assert client.get("/api/v1/tickets", headers=admin).json()["total"] == 2
    for method, path, body in [
        ("GET", f"/api/v1/tickets/{other}", None),
        ("POST", f"/api/v1/tickets/{other}/dispatch", {"person_id": worker}),
        ("POST", f"/api/v1/tickets/{other}/transfer", {"person_id": worker}),
        ("POST", f"/api/v1/tickets/{other}/close", {"note": "x"}),
        ("GET", "/api/v1/ledger/2026-10/summary?building=3", None),
    ]:
        response = client.request(method, path, json=body, headers=grid)
        assert response.status_code == 403 and "outside your grid" in response.json()["detail"], path
    assert client.get(f"/api/v1/tickets/{mine}", headers=grid).status_code == 200
    assert client.get("/api/v1/stats", headers=grid).json()["total"] == 1
    assert client.get("/api/v1/stats", headers=admin).json()["total"] == 2
    moved = client.post(f"/api/v1/tickets/{mine}/transfer", json={"person_id": worker}, headers=grid)
    assert moved.status_code == 200 and moved.json()["assignee_id"] == worker
    roster = "楼栋,单元,房号,面积,姓名,电话\n1,1,101,89.5,李建国,13800000001\n3,2,502,96,王秀兰,\n"
    assert client.post("/api/v1/residents/import", content=roster.encode(), headers=admin).status_code == 201
    assert [r["name"] for r in client.get("/api/v1/residents", headers=grid).json()["items"]] == ["李建国"]
    assert client.get("/api/v1/residents", headers=admin).json()["total"] == 2


def test_changes_name_who_made_them(
    wechat: WeChatSim, tokens: dict[ApiRole, Headers], engine: Engine, clock: ManualClock
) -> None:
    ticket = _ticket_of(wechat, engine, "demo-resident-li")
    client, staff, admin = wechat.client, tokens[T], tokens[A]
    client.post(
        f"/api/v1/tickets/{ticket}/transfer", json={"person_id": _person_id(engine, "李师傅")}, headers=staff
    )
    client.post(f"/api/v1/tickets/{ticket}/close", json={"note": "重复报修"}, headers=staff)
    client.post("/api/v1/rewards", json={"name": "毛巾", "cost": 5, "stock": 1}, headers=admin)
    notice = {"title": "停水", "body": "明天停水", "audience": {"all": True}}
    client.post("/api/v1/notices", json=notice, headers=admin)
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert [(e.action, e.actor.split("#")[0]) for e in entries] == [
        ("ticket.transfer", "staff:m-staff"),
        ("ticket.close", "staff:m-staff"),
        ("reward.create", "admin:m-admin"),
        ("notice.create", "admin:m-admin"),
    ]
    assert entries[1].target == f"ticket:{ticket}" and entries[1].detail == {"note": "重复报修"}
