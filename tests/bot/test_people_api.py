"""The office's side of personal data: export and erase by openid, admins only, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.access import AuditEntry
from tests.support.personal import PHONE, WANG, World, build, close_votes
from tests.support.wechat import WeChatSim

Headers = dict[str, str]


@pytest.fixture
def world(engine: Engine, clock: ManualClock, demo: None) -> World:
    built = build(engine, clock.now())
    clock.advance(timedelta(hours=2))
    close_votes(engine, clock.now())
    return built


def test_export_gives_the_whole_record_and_is_audited(
    wechat: WeChatSim, world: World, admin_headers: Headers, engine: Engine
) -> None:
    response = wechat.client.get(f"/api/v1/people/{WANG}/export", headers=admin_headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["profile"]["phone"] == PHONE and body["summary"]["tickets"] == 3
    assert body["summary"]["ballots"] == 2 and body["points"]["balance"] == 3
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "person.export")).one()
        assert entry.target == f"person:{world.person_id}" and entry.actor.startswith("config-token:")


def test_erase_keeps_the_community_figures_and_is_final(
    wechat: WeChatSim, world: World, admin_headers: Headers
) -> None:
    client = wechat.client
    stats = client.get("/api/v1/stats", headers=admin_headers).json()
    tallies = [
        client.get(f"/api/v1/proposals/{p}", headers=admin_headers).json()["tally"]
        for p in (world.running, world.closed)
    ]
    ticket = client.get(f"/api/v1/tickets/{world.open_ticket}", headers=admin_headers).json()

    erased = client.post(
        f"/api/v1/people/{WANG}/erase", json={"note": "书面申请 2026-17"}, headers=admin_headers
    )
    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert report["person_id"] == world.person_id and not report["already_erased"]
    assert report["counts"]["tickets"] == 3 and report["counts"]["redemptions_cancelled"] == 1

    assert client.get("/api/v1/stats", headers=admin_headers).json() == stats
    assert [
        client.get(f"/api/v1/proposals/{p}", headers=admin_headers).json()["tally"] for p in (1, 2)
    ] == tallies
    after = client.get(f"/api/v1/tickets/{world.open_ticket}", headers=admin_headers).json()
    assert after["status"] == ticket["status"] and PHONE not in after["description"]
    # Staff can still finish her open repair.
    closed = client.post(
        f"/api/v1/tickets/{world.open_ticket}/close", json={"note": "已修好"}, headers=admin_headers
    )
    assert closed.status_code == 200, closed.text
    # The openid is forgotten: asking again finds no one.
    assert client.post(f"/api/v1/people/{WANG}/erase", headers=admin_headers).status_code == 404
    assert client.get(f"/api/v1/people/{WANG}/export", headers=admin_headers).status_code == 404


def test_office_roles_are_refused(wechat: WeChatSim, demo: None, admin_headers: Headers) -> None:
    response = wechat.client.post("/api/v1/people/demo-staff-wang/erase", headers=admin_headers)
    assert response.status_code == 409 and "change the role first" in response.json()["detail"]


def test_unknown_people_are_404(wechat: WeChatSim, demo: None, admin_headers: Headers) -> None:
    assert wechat.client.get("/api/v1/people/nobody/export", headers=admin_headers).status_code == 404


def test_news_of_her_open_repair_is_not_sent_anywhere(
    wechat: WeChatSim,
    world: World,
    admin_headers: Headers,
    engine: Engine,
    clock: ManualClock,
    outbox_worker: object,
) -> None:
    from bot.outbound.worker import DeliveryWorker
    from models.dispatch import resolve
    from models.outbox import OutboxMessage
    from models.people import person_by_openid
    from models.tickets import Ticket
    from tests.support.personal import RULES

    assert isinstance(outbox_worker, DeliveryWorker)
    assert wechat.client.post(f"/api/v1/people/{WANG}/erase", headers=admin_headers).status_code == 200
    outbox_worker.drain()
    with Session(engine) as session, session.begin():
        ticket = session.get(Ticket, world.open_ticket)
        staff = person_by_openid(session, "demo-staff-wang")
        assert (
            ticket is not None
            and resolve(session, ticket=ticket, actor=staff, note="已修好", rules=RULES, now=clock.now()).ok
        )
    outbox_worker.drain()
    with Session(engine) as session:
        to_her = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == world.person_id)).all()
        dead = [row for row in to_her if row.status == "dead"]
        assert len(dead) == 1 and "erased" in dead[0].last_error
