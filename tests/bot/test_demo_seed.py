"""`hgj demo seed`: six weeks of believable history, made once, that the console and the stats show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import app
from bot.clock import ManualClock
from models.activities import Activity, Signup, SignupStatus
from models.base import month_of, previous_month
from models.ledger import LedgerEntry
from models.outbox import OutboxMessage, OutboxStatus
from models.people import Person
from models.points import balance
from models.tickets import Rating, Ticket, TicketKind, TicketStatus


def at(clock: ManualClock) -> list[str]:
    """The CLI runs on the test's clock."""
    return ["--now", clock.now().isoformat()]


@pytest.fixture
def cli_env(
    engine: Engine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    return {"HGJ_DATABASE__URL": engine.url.render_as_string(hide_password=False), "HGJ_CONFIG": ""}


def test_seed_needs_the_demo_community_first(
    engine: Engine, clock: ManualClock, cli_env: dict[str, str]
) -> None:
    result = CliRunner().invoke(app, [*at(clock), "demo", "seed"], env=cli_env)
    assert result.exit_code == 1
    assert "没有生成演示历史" in result.output and "hgj import examples/demo-community.toml" in result.output


def test_seed_makes_six_weeks_of_history_once(
    demo: None,
    engine: Engine,
    clock: ManualClock,
    cli_env: dict[str, str],
    app_client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    cli = CliRunner()
    first = cli.invoke(app, [*at(clock), "demo", "seed"], env=cli_env)
    assert first.exit_code == 0, first.output
    assert "已生成演示历史：工单 27 件" in first.output
    again = cli.invoke(app, [*at(clock), "demo", "seed"], env=cli_env)
    assert again.exit_code == 0 and "演示历史已经存在" in again.output and "跳过" in again.output

    now = clock.now()
    with Session(engine) as session:
        tickets = session.exec(select(Ticket)).all()
        assert len(tickets) == 27  # not doubled by the second run
        assert now - min(t.created_at for t in tickets) > timedelta(weeks=5)
        assert {t.status for t in tickets} == set(TicketStatus)  # every state, reopened included
        assert {t.kind for t in tickets} == set(TicketKind)
        overdue = [t for t in tickets if t.is_open and t.due_at < now]
        assert overdue and all(t.escalation_level > 0 for t in overdue)
        assert session.exec(select(func.count()).select_from(Rating)).one() >= 8
        # The past's pushes were delivered then; only what the present makes is still to send.
        waiting = session.exec(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)
        ).all()
        assert all(m.created_at == now for m in waiting)
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() > 100

        full = session.exec(select(Activity).where(Activity.title == "助老包饺子")).one()
        assert full.taken == full.capacity and full.starts_at > now
        waitlisted = session.exec(
            select(Signup).where(Signup.activity_id == full.id, Signup.status == SignupStatus.waitlisted)
        ).all()
        assert len(waitlisted) == 1
        finished = session.exec(select(Activity).where(Activity.title == "垃圾分类宣传进楼栋")).one()
        attended = session.exec(
            select(Signup).where(Signup.activity_id == finished.id, Signup.status == SignupStatus.attended)
        ).all()
        assert finished.ends_at < now and len(attended) == 3
        li = session.exec(select(Person).where(Person.openid == "demo-resident-li")).one()
        assert balance(session, person_id=li.id) == 5 + 3 - 6  # two activities, one lunch voucher
        months = set(session.exec(select(LedgerEntry.month)).all())
        assert months == {previous_month(month_of(now))}

    stats = app_client.get("/api/v1/stats", headers=admin_headers).json()
    for rate in ("response_rate", "resolution_rate", "satisfaction_rate", "mediation_rate"):
        assert 0 < stats[rate] < 1, (rate, stats[rate])  # believable: neither empty nor perfect
    assert len(stats["by_month"]) >= 2  # the console's monthly charts have more than one point
