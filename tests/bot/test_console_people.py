"""人员与令牌 in the console (admins only): the office's people with role, skills, grid and open
work; adding and stopping a person; tokens listed without their secret, shown once, revoked."""

from __future__ import annotations

import json
import re

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import ApiRole, ApiToken, AuditEntry, actor_for_token, issue_token
from models.people import Person, Role
from models.tickets import TicketKind, TicketStatus, create_ticket
from tests.conftest import ADMIN_TOKEN
from tests.support.console import confirm, console_login
from tests.support.wechat import WeChatSim

FIELD_ERRORS = re.compile(r'<script type="application/json" id="field-errors">(.*?)</script>')
BANNER = re.compile(r'<div class="(flash|error)" role="(?:status|alert)">(.*?)</div>')


def _person(session: Session, openid: str) -> Person:
    return session.exec(select(Person).where(Person.openid == openid)).one()


def _banner(html: str) -> str:
    found = BANNER.search(html)
    assert found is not None, html[:3000]
    return found.group(2)


def test_the_list_shows_role_skills_grid_and_open_work(
    wechat: WeChatSim, demo: None, session: Session, engine: Engine, clock: ManualClock
) -> None:
    liu = _person(session, "demo-grid-liu")
    now = clock.now()
    with Session(engine) as writing, writing.begin():
        for _ in range(2):
            create_ticket(
                writing,
                kind=TicketKind.repair,
                reporter_id=liu.id,  # type: ignore[arg-type]
                due_at=now,
                now=now,
                status=TicketStatus.dispatched,
                assignee_id=liu.id,
            )
    console_login(wechat.client, ADMIN_TOKEN)
    page = wechat.client.get("/console/people").text
    row = re.search(r"<tr>\s*<td>刘志强</td>(.*?)</tr>", page, re.S)
    assert row is not None, page[:3000]
    assert "网格员" in row.group(1) and "第一网格" in row.group(1) and "<td>2</td>" in row.group(1)
    assert "王秀兰" not in page  # residents are not the office's people
    staff = wechat.client.get("/console/people", params={"role": "staff"}).text
    assert "水电" in staff and "<td>刘志强</td>" not in staff


def test_adding_a_person_checks_the_form_and_is_audited(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    console_login(wechat.client, ADMIN_TOKEN)
    refused = wechat.client.post(
        "/console/people", data={"name": "周强", "role": "grid_worker", "openid": "new-grid-zhou"}
    )
    assert "网格员需要选择网格" in _banner(refused.text)
    shown = FIELD_ERRORS.search(refused.text)
    assert shown is not None  # shown next to the field in the form it came from
    assert json.loads(shown.group(1)) == {
        "fields": {"grid_id": "网格员需要选择网格。"},
        "action": "/console/people",
    }
    assert session.exec(select(Person).where(Person.openid == "new-grid-zhou")).first() is None
    added = wechat.client.post(
        "/console/people",
        data={
            "name": "周强",
            "role": "staff",
            "openid": "new-staff-zhou",
            "skills": "水电、门窗",
            "phone": "13900000001",
        },
    )
    assert "已添加物业周强" in _banner(added.text)
    assert "门窗" in added.text
    session.rollback()
    zhou = _person(session, "new-staff-zhou")
    assert zhou.role == Role.staff and zhou.skills == ["水电", "门窗"]
    twice = wechat.client.post(
        "/console/people", data={"name": "周强", "role": "staff", "openid": "new-staff-zhou"}
    )
    assert "已经是物业了" in _banner(twice.text)
    resident = wechat.client.post(
        "/console/people",
        data={"name": "王秀兰", "role": "building_head", "openid": "demo-resident-wang", "building_id": "1"},
    )
    assert "已添加楼栋长王秀兰" in _banner(resident.text)  # a known resident given the role
    session.rollback()
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.action == "person.add")).all()
    assert len(actions) == 2


def test_stopping_a_person_asks_first_revokes_their_tokens_and_keeps_them_a_resident(
    wechat: WeChatSim, demo: None, session: Session, engine: Engine, clock: ManualClock
) -> None:
    liu = _person(session, "demo-grid-liu")
    with Session(engine) as writing, writing.begin():
        token = issue_token(
            writing,
            name="刘志强",
            role=ApiRole.grid_worker,
            now=clock.now(),
            person=writing.get(Person, liu.id),
        )
    console_login(wechat.client, ADMIN_TOKEN)
    asked = wechat.client.post(f"/console/people/{liu.id}/deactivate")
    assert "停用网格员刘志强？" in asked.text and "令牌 1 个会被吊销" in asked.text
    session.rollback()
    assert _person(session, "demo-grid-liu").role == Role.grid_worker
    done = confirm(wechat.client, asked)
    assert "已停用网格员刘志强，吊销令牌 1 个" in _banner(done.text)
    session.rollback()
    assert _person(session, "demo-grid-liu").role == Role.resident
    with Session(engine) as reading:
        assert actor_for_token(reading, token) is None
    row = session.exec(select(AuditEntry).where(AuditEntry.action == "person.deactivate")).one()
    assert row.target == f"person:{liu.id}" and row.detail["role"] == "网格员"


def test_a_token_is_shown_once_listed_without_its_secret_and_revoked_after_a_question(
    wechat: WeChatSim, demo: None, session: Session, engine: Engine
) -> None:
    console_login(wechat.client, ADMIN_TOKEN)
    liu = _person(session, "demo-grid-liu")
    created = wechat.client.post(
        "/console/tokens", data={"name": "刘志强", "role": "grid_worker", "person_id": str(liu.id)}
    )
    assert "只显示这一次" in created.text and created.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token-secret" class="wide" value="([^"]+)"', created.text)
    assert secret is not None
    with Session(engine) as reading:
        actor = actor_for_token(reading, secret.group(1))
    assert actor is not None and actor.role == ApiRole.grid_worker and actor.person_id == liu.id
    listing = wechat.client.get("/console/people").text
    assert secret.group(1) not in listing and "刘志强" in listing and "有效" in listing
    session.rollback()
    token_id = session.exec(select(ApiToken.id)).one()
    asked = wechat.client.post(f"/console/tokens/{token_id}/revoke")
    assert "吊销 刘志强 的令牌（网格员）？" in asked.text
    done = confirm(wechat.client, asked)
    assert "已吊销 刘志强 的令牌" in _banner(done.text) and "已吊销（" in done.text
    with Session(engine) as reading:
        assert actor_for_token(reading, secret.group(1)) is None
    session.rollback()
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.action.startswith("token."))).all()  # type: ignore[attr-defined]
    assert sorted(actions) == ["token.create", "token.revoke"]
    bad = wechat.client.post("/console/tokens", data={"name": "x", "role": "grid_worker"})
    assert "网格员的令牌要选一位有网格的人员" in _banner(bad.text)


def test_only_admins_see_people_and_tokens(
    wechat: WeChatSim, demo: None, engine: Engine, clock: ManualClock
) -> None:
    with Session(engine) as writing, writing.begin():
        secretary = issue_token(writing, name="周书记", role=ApiRole.secretary, now=clock.now())
    console_login(wechat.client, secretary)
    assert "人员与令牌" not in wechat.client.get("/console/").text
    refused = wechat.client.get("/console/people")
    assert refused.status_code == 403 and "只对管理员开放" in refused.text
    assert wechat.client.post("/console/tokens", data={"name": "x", "role": "admin"}).status_code == 403
