"""物业服务评议 from opening to 星级物业: the office opens the quarter's evaluation through the API,
households answer in chat (at once, one by one, with mistakes, a second answer from one flat),
closing publishes a star rating, and the test recomputes it from the raw answers and the 三率."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from models.community import Building
from models.outbox import OutboxMessage
from models.people import Person, Role
from models.residency import Relationship
from models.tickets import Rating, Ticket, TicketKind, TicketStatus
from scheduler.evaluations import close_evaluations
from tests.support.community import pushes_to, resident_in, run_job
from tests.support.wechat import WeChatSim


def _quarter_tickets(engine: Engine, now: datetime) -> None:
    """Four repairs this quarter whose 三率 are known by hand, and one of last quarter left out:
    响应率 2/3 (two accepted in time, one past its limit unaccepted; one still within its limit
    and unaccepted is not yet due), 解决率 1/2, 满意率 1/2 (ratings 5 and 3)."""
    with Session(engine) as session, session.begin():
        building = session.exec(select(Building).where(Building.number == "3")).one()
        reporter = Person(name="报修人", role=Role.resident, created_at=now)
        session.add(reporter)
        session.flush()
        day = timedelta(days=1)
        shapes = [  # created, accepted after, due after, resident_fixed, rating
            (now - 20 * day, timedelta(hours=1), day, True, 5),
            (now - 15 * day, timedelta(hours=2), day, False, 3),
            (now - 10 * day, None, day, None, None),
            (now - timedelta(hours=1), None, day, None, None),
            (datetime(2026, 9, 10, tzinfo=UTC), None, day, False, 1),  # 三季度: not this period's
        ]
        for created, accepted, due, fixed, stars in shapes:
            ticket = Ticket(
                kind=TicketKind.repair,
                status=TicketStatus.closed if fixed is not None else TicketStatus.submitted,
                reporter_id=reporter.id,  # type: ignore[arg-type]
                building_id=building.id,
                due_at=created + due,
                accepted_at=created + accepted if accepted else None,
                resident_fixed=fixed,
                created_at=created,
                updated_at=created,
            )
            session.add(ticket)
            session.flush()
            if stars is not None:
                session.add(
                    Rating(
                        ticket_id=ticket.id,  # type: ignore[arg-type]
                        person_id=reporter.id,  # type: ignore[arg-type]
                        overall=stars,
                        speed=stars,
                        service=stars,
                        created_at=created + day,
                    )
                )


def _expected_stars(answers: list[list[int]], rates: list[float]) -> tuple[float, int]:
    """The method of models.evaluation_stars, written again from its docstring."""
    residents = (sum(map(sum, answers)) / (5 * len(answers)) - 1) / 4
    combined = round(0.7 * residents + 0.3 * sum(rates) / len(rates), 4)
    return combined, 1 + math.floor(4 * combined + 0.5)


def test_a_quarter_evaluation_publishes_a_star_rating_that_recomputes(
    wechat: WeChatSim,
    demo: None,
    admin_headers: dict[str, str],
    clock: ManualClock,
    engine: Engine,
    session: Session,
) -> None:
    now = clock.now()
    _quarter_tickets(engine, now)
    resident_in(engine, "eval-3-2-101", "3-2-101", now=now, name="刘芳")
    resident_in(engine, "eval-1-1-101", "1-1-101", now=now, name="孙强")
    resident_in(engine, "eval-wang-son", "3-2-502", now=now, relationship=Relationship.member, name="王小明")
    resident_in(engine, "eval-claimed", "1-1-102", now=now, verified=False, name="周洁")

    assert "没有进行中" in wechat.send("demo-resident-wang", "评议")
    opened = wechat.client.post(
        "/api/v1/evaluations",
        json={"period": "2026-Q4", "closes_at": (now + timedelta(days=14)).isoformat()},
        headers=admin_headers,
    )
    assert opened.status_code == 201, opened.text
    evaluation_id = opened.json()["id"]
    again = wechat.client.post(
        "/api/v1/evaluations",
        json={"period": "2026-Q4", "closes_at": (now + timedelta(days=14)).isoformat()},
        headers=admin_headers,
    )
    assert again.status_code == 409
    assert "2026年第4季度物业服务评议开始了" in pushes_to(session, "王秀兰", "evaluation")[0]

    # Five digits at once.
    assert "保洁5、安保4、维修5、绿化3、客服4" in wechat.send("demo-resident-wang", "评议 5 4 5 3 4")
    # One at a time, with a wrong count and a score out of range on the way: nothing is lost.
    assert "一次回复五个数字" in wechat.send("eval-3-2-101", "我要评议")
    assert "您回复了 2 个" in wechat.send("eval-3-2-101", "5 4")
    assert "要在 1 到 5 之间，您回复的是 6" in wechat.send("eval-3-2-101", "6")
    assert "「安保」" in wechat.send("eval-3-2-101", "4分")
    for score in ("3", "4", "5"):
        wechat.send("eval-3-2-101", score)
    assert "保洁4、安保3、维修4、绿化5、客服3" in wechat.send("eval-3-2-101", "3")
    # One out of range among five: the others are kept, only 绿化 is asked again.
    assert "「绿化」的分数要在 1 到 5 之间" in wechat.send("eval-1-1-101", "评议 3 3 2 6 4")
    assert "保洁3、安保3、维修2、绿化2、客服4" in wechat.send("eval-1-1-101", "2")
    # A second answer from 王秀兰's flat replaces the household's first: one answer per flat.
    replaced = wechat.send("eval-wang-son", "评议 4 4 4 4 4")
    assert "已更新您家的评分" in replaced and "替换了之前的 保洁5、安保4" in replaced
    # Not bound, or bound but not verified: told what to do, nothing counted.
    assert "回复「绑定」" in wechat.send("eval-stranger", "评议 5 5 5 5 5")
    assert "等待楼栋长核实" in wechat.send("eval-claimed", "评议 5 5 5 5 5")
    assert "还没有公布过" in wechat.send("demo-resident-li", "物业评了几星")

    closed = wechat.client.post(f"/api/v1/evaluations/{evaluation_id}/close", headers=admin_headers)
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    answers = [[4, 4, 4, 4, 4], [4, 3, 4, 5, 3], [3, 3, 2, 2, 4]]
    assert sorted(result["answers"]) == sorted(answers) and result["households"] == 3
    assert result["rates"] == {
        "response_rate": round(2 / 3, 4),
        "resolution_rate": 0.5,
        "satisfaction_rate": 0.5,
    }
    assert result["rate_counts"]["response_rate"] == {"hits": 2, "of": 3}
    assert result["means"]["cleaning"] == round(11 / 3, 4) and result["means"]["greenery"] == round(11 / 3, 4)
    combined, stars = _expected_stars(answers, [round(2 / 3, 4), 0.5, 0.5])
    assert (result["combined"], result["stars"]) == (combined, stars) == (0.61, 3)

    # Published: stored as computed, asked in chat, announced to the building groups.
    stored = wechat.client.get(f"/api/v1/evaluations/{evaluation_id}", headers=admin_headers).json()
    assert stored["status"] == "published" and stored["result"] == result
    told = wechat.send("demo-resident-li", "物业评了几星")
    assert "2026年第4季度物业服务评议：评为 ★★★☆☆ 3 星" in told and "3 户参与" in told
    session.rollback()
    groups = session.exec(select(OutboxMessage.text).where(OutboxMessage.kind == "evaluation")).all()
    assert sum(text.startswith("【星级物业】") for text in groups) == len(
        session.exec(select(Building)).all()
    )
    assert "没有进行中" in wechat.send("demo-resident-zhao", "评议 5 5 5 5 5")

    # December's, closed by the scheduler at its deadline: one household is too few for stars.
    body = {"period": "2026-12", "closes_at": (now + timedelta(days=3)).isoformat()}
    assert wechat.client.post("/api/v1/evaluations", json=body, headers=admin_headers).status_code == 201
    wechat.send("demo-resident-wang", "评议 5 5 5 5 5")
    clock.advance(days=3)
    assert "没有进行中" in wechat.send("eval-1-1-101", "评议 1 1 1 1 1")  # too late, though not yet closed
    assert run_job(engine, close_evaluations, clock) == 1
    assert run_job(engine, close_evaluations, clock) == 0
    told = wechat.send("demo-resident-li", "物业评了几星")
    assert "2026年12月物业服务评议：参与不足 3 户，本期不评星（1 户参与" in told
