"""The audit log: console actions name the person behind the session, and the office reads the log
in the console (filters, pages) and over the API (admins only)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli import app as cli_app
from bot.clock import ManualClock
from models.access import ApiRole, AuditEntry, audit, issue_token
from models.actors import system
from models.people import Person, person_by_openid
from models.residency import Residency
from models.ticket_story import steps
from models.tickets import Ticket, TicketKind, create_ticket
from tests.bot.test_web_console import _login
from tests.conftest import ADMIN_TOKEN
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

PEOPLE = {
    ApiRole.admin: ("demo-admin-wu", "管理员吴小燕"),
    ApiRole.secretary: ("demo-secretary-zhou", "周书记"),
    ApiRole.staff: ("demo-staff-wang", "王师傅"),
    ApiRole.grid_worker: ("demo-grid-liu", "网格员刘志强"),
}


def _token(engine: Engine, clock: ManualClock, role: ApiRole) -> str:
    with Session(engine) as session, session.begin():
        person = person_by_openid(session, PEOPLE[role][0])
        return issue_token(session, name=f"t-{role}", role=role, person=person, now=clock.now())


def _ticket(engine: Engine, clock: ManualClock) -> Ticket:
    """A submitted repair in 1栋 (the grid worker's grid)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        reporter = person_by_openid(session, "demo-resident-li")
        assert reporter is not None and reporter.id is not None
        return create_ticket(
            session,
            kind=TicketKind.repair,
            reporter_id=reporter.id,
            due_at=clock.now() + timedelta(days=7),
            now=clock.now(),
            building_id=reporter.building_id,
            description="楼道灯不亮",
        )


def _relogin(wechat: WeChatSim, token: str) -> None:
    wechat.client.headers.pop("X-CSRF-Token", None)
    wechat.client.cookies.clear()
    _login(wechat, token)


def test_console_actions_name_the_person_behind_the_session(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    with Session(engine) as session:
        worker = session.exec(select(Person).where(Person.name == "李师傅")).one()
    for role, (_, label) in PEOPLE.items():
        ticket = _ticket(engine, clock)
        _relogin(wechat, _token(engine, clock, role))
        asked = wechat.client.post(f"/console/tickets/{ticket.id}/dispatch", data={"person_id": worker.id})
        sent = confirm(wechat.client, asked)
        assert "已派给李师傅" in sent.text, role
        closed = wechat.client.post(f"/console/tickets/{ticket.id}/close", data={"note": "重复报修"})
        assert "工单已取消" in closed.text, role
        with Session(engine) as session:
            rows = session.exec(select(AuditEntry).where(AuditEntry.target == f"ticket:{ticket.id}")).all()
            story = [f"{s.who} {s.what}" for s in steps(session, ticket.id)]  # type: ignore[arg-type]
        assert [(r.action, r.actor_name) for r in rows] == [
            ("ticket.dispatch", label),
            ("ticket.close", label),
        ]
        assert story[1:] == [f"{label} 派单给 李师傅", f"{label} 取消工单"], role
    with Session(engine) as session:
        logins = session.exec(select(AuditEntry.actor_name).where(AuditEntry.action == "console.login")).all()
    assert sorted(logins) == sorted(label for _, label in PEOPLE.values())


def test_the_audit_page_filters_and_pages(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    ticket = _ticket(engine, clock)
    _relogin(wechat, _token(engine, clock, ApiRole.grid_worker))
    with Session(engine) as session:
        worker = session.exec(select(Person).where(Person.name == "王师傅")).one()
    confirm(
        wechat.client,
        wechat.client.post(f"/console/tickets/{ticket.id}/dispatch", data={"person_id": worker.id}),
    )
    assert wechat.client.get("/console/audit").status_code == 403  # admins only
    with Session(engine) as session, session.begin():
        for n in range(60):  # a busy night of the scheduler, the day before
            audit(
                session, actor=system("sla"), action="outbox.retry", now=clock.now() - timedelta(days=1), n=n
            )
    _relogin(wechat, ADMIN_TOKEN)
    page = wechat.client.get("/console/audit").text
    assert "操作记录" in page and "共 63 条，第 1–50 条" in page and 'id="older"' in page
    assert "社区办公室管理员" in page and "登录控制台" in page  # this login, by the config token's name
    older = wechat.client.get("/console/audit?offset=50").text
    assert "第 51–63 条" in older and 'id="newer"' in older and 'id="older"' not in older
    mine = wechat.client.get("/console/audit", params={"who": "网格员刘志强"}).text
    assert (
        "共 2 条" in mine
        and "派单" in mine
        and f"工单 {ticket.code}" in mine
        and "社区办公室管理员</td>" not in mine
    )
    by_code = wechat.client.get("/console/audit", params={"target": ticket.code}).text
    assert "共 1 条" in by_code and "网格员刘志强" in by_code
    action = wechat.client.get("/console/audit", params={"action": "outbox.retry"}).text
    assert "共 60 条" in action and "系统（超时督办）" in action
    today = clock.now().date().isoformat()
    dated = wechat.client.get("/console/audit", params={"since": today, "until": today}).text
    assert "共 3 条" in dated  # the scheduler's rows were the day before
    none = wechat.client.get("/console/audit", params={"who": "网格员刘志强", "action": "outbox.retry"}).text
    assert "没有符合条件的操作记录" in none


def test_the_api_lists_the_audit_log_for_admins(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    ticket = _ticket(engine, clock)
    grid = {"Authorization": f"Bearer {_token(engine, clock, ApiRole.grid_worker)}"}
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with Session(engine) as session:
        worker = session.exec(select(Person).where(Person.name == "王师傅")).one()
    sent = wechat.client.post(
        f"/api/v1/tickets/{ticket.id}/dispatch", json={"person_id": worker.id}, headers=grid
    )
    assert sent.status_code == 200
    wechat.client.post(f"/api/v1/tickets/{ticket.id}/close", json={"note": "重复"}, headers=admin)
    assert wechat.client.get("/api/v1/audit", headers=grid).status_code == 403
    listed = wechat.client.get("/api/v1/audit", params={"target": ticket.code}, headers=admin).json()
    assert listed["total"] == 2
    assert [(i["actor"], i["action_label"], i["object"]) for i in listed["items"]] == [
        ("社区办公室管理员", "结单或取消工单", f"工单 {ticket.code}"),
        ("网格员刘志强", "派单", f"工单 {ticket.code}"),
    ]
    first = wechat.client.get("/api/v1/audit", params={"limit": 1, "actor": "网格员刘志强"}, headers=admin)
    assert first.json()["total"] == 1 and first.json()["next"] is None
    assert first.json()["items"][0]["actor_tag"].startswith("grid_worker:")
    paged = wechat.client.get("/api/v1/audit", params={"limit": 1}, headers=admin).json()
    assert paged["next"] == 1 and len(paged["items"]) == 1
    tomorrow = (clock.now() + timedelta(days=2)).date().isoformat()
    assert wechat.client.get("/api/v1/audit", params={"since": tomorrow}, headers=admin).json()["total"] == 0


def test_every_audit_row_is_written_by_one_function() -> None:
    """Rows come only from ``models.access.audit`` (which names the actor), never a stray insert."""
    root = Path(__file__).resolve().parents[2]
    strays = [
        str(path.relative_to(root))
        for package in ("bot", "models", "handlers", "scheduler")
        for path in (root / package).rglob("*.py")
        if "AuditEntry(" in path.read_text(encoding="utf-8") and path != root / "models" / "access.py"
    ]
    assert strays == []


def test_verifications_and_ledger_corrections_are_audited_once_from_every_front_end(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None, tmp_path: Path
) -> None:
    """The services (models.residency.decide, models.ledger.correct_entry) write the audit row; the
    chat, the API, the console and the command line only call them."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for openid in ("claim-chat", "claim-api", "claim-console"):
        assert "已收到您的登记" in wechat.send(openid, "我住3栋2单元402")
    with Session(engine) as session:
        ids = {
            openid: session.exec(
                select(Residency.id)
                .join(Person, col(Person.id) == col(Residency.person_id))
                .where(Person.openid == openid)
            ).one()
            for openid in ("claim-chat", "claim-api", "claim-console")
        }
    assert "已核实" in wechat.send("demo-head-chen", f"核实 B{ids['claim-chat']} 通过 租户")
    refused = wechat.client.post(
        f"/api/v1/bindings/{ids['claim-api']}/reject", json={"note": "查无此人"}, headers=admin
    )
    assert refused.status_code == 200, refused.text
    _login(wechat)
    asked = wechat.client.post(f"/console/residencies/{ids['claim-console']}/verify", data={"note": ""})
    assert "已核实" in confirm(wechat.client, asked).text

    csv = "month,kind,item,amount_yuan\n2026-11,收入,停车费,100\n2026-11,收入,广告收入,200\n"
    assert wechat.client.post("/api/v1/ledger/import", content=csv.encode(), headers=admin).status_code == 201
    parking, ads = [
        e["id"] for e in wechat.client.get("/api/v1/ledger/entries", headers=admin).json()["items"]
    ]
    fixed = wechat.client.post(
        f"/api/v1/ledger/entries/{parking}/corrections",
        json={"amount_fen": 90_00, "reason": "录错"},
        headers=admin,
    )
    assert fixed.status_code == 201
    page = wechat.client.post(
        f"/console/ledger/entries/{ads}/correct",
        data={"month": "2026-11", "amount": "150", "reason": "收据核对"},
    )
    assert page.status_code == 200
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{engine.url.render_as_string(hide_password=False)}"\n')
    cli = CliRunner().invoke(
        cli_app, ["ledger", "correct", str(parking), "80", "--reason", "再核对", "-c", str(config)]
    )
    assert cli.exit_code == 0, cli.output

    with Session(engine) as session:
        rows = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("residency."))
            .order_by(col(AuditEntry.id))
        ).all()
        assert [(r.action, r.target, r.actor_name) for r in rows] == [
            ("residency.verify", f"residency:{ids['claim-chat']}", "楼栋长陈红梅"),
            ("residency.reject", f"residency:{ids['claim-api']}", "社区办公室管理员"),
            ("residency.verify", f"residency:{ids['claim-console']}", "社区办公室管理员"),
        ]
        rows = session.exec(
            select(AuditEntry).where(AuditEntry.action == "ledger.correct").order_by(col(AuditEntry.id))
        ).all()
        assert [(r.target, r.actor_name, r.detail["reason"]) for r in rows] == [
            (f"ledger:{parking}", "社区办公室管理员", "录错"),
            (f"ledger:{ads}", "社区办公室管理员", "收据核对"),
            (f"ledger:{parking}", "命令行（服务器管理员）", "再核对"),
        ]
