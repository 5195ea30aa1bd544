"""Console pages over HTTP: tickets and actions, the notice composer, imports with reports, roles."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.settings import Settings
from models.access import ApiRole, AuditEntry, issue_token
from models.notices import Notice
from models.people import Person, person_by_openid
from models.tickets import Ticket, TicketStatus
from tests.bot.test_web_console import _login
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

CONFIRMED = re.compile(r'name="confirmed" value="([0-9a-f]+)"')


def _token(engine: Engine, clock: ManualClock, openid: str, role: ApiRole) -> str:
    with Session(engine) as session, session.begin():
        person = person_by_openid(session, openid)
        return issue_token(session, name=f"c-{role}", role=role, person=person, now=clock.now())


def _new_ticket(wechat: WeChatSim, engine: Engine, openid: str, text: str = "厨房水管漏水了") -> Ticket:
    wechat.send(openid, text)
    wechat.send(openid, "是")
    with Session(engine) as session:
        reporter = person_by_openid(session, openid)
        return session.exec(select(Ticket).where(Ticket.reporter_id == reporter.id)).one()  # type: ignore[union-attr]


def test_every_page_renders_in_chinese_for_the_admin(wechat: WeChatSim, demo: None) -> None:
    _login(wechat)
    for path, words in [
        ("/console/", "响应率"),
        ("/console/tickets", "工单"),
        ("/console/notices", "发布公告"),
        ("/console/activities", "新建活动"),
        ("/console/rewards", "核销领取"),
        ("/console/bindings", "房屋与住户登记"),
        ("/console/proposals", "议"),
        ("/console/knowledge", "全部条目"),
        ("/console/ledger", "三公开"),
    ]:
        response = wechat.client.get(path)
        assert response.status_code == 200 and words in response.text, path
        assert "http://" not in response.text and "https://" not in response.text


def test_dispatch_transfer_and_cancel_a_ticket(wechat: WeChatSim, engine: Engine, demo: None) -> None:
    ticket = _new_ticket(wechat, engine, "demo-resident-wang", "小区东门的门禁坏了")
    _login(wechat)
    listing = wechat.client.get("/console/tickets").text
    assert ticket.code in listing
    with Session(engine) as session:
        wang = session.exec(select(Person).where(Person.name == "王师傅")).one()
    if ticket.status != TicketStatus.submitted:  # auto-routed: transfer instead
        asked = wechat.client.post(f"/console/tickets/{ticket.id}/transfer", data={"person_id": wang.id})
        done = confirm(wechat.client, asked)
        assert "已转给王师傅" in done.text
    else:
        asked = wechat.client.post(f"/console/tickets/{ticket.id}/dispatch", data={"person_id": wang.id})
        done = confirm(wechat.client, asked)
        assert "已派给王师傅" in done.text
    assert "转单" in done.text or "派单" in done.text  # the timeline shows it
    refused = wechat.client.post(f"/console/tickets/{ticket.id}/close", data={"note": ""})
    assert "请写明原因" in refused.text
    cancelled = wechat.client.post(f"/console/tickets/{ticket.id}/close", data={"note": "居民已自行修好"})
    assert "工单已取消" in cancelled.text and "已取消" in cancelled.text
    with Session(engine) as session:
        assert [e.action for e in session.exec(select(AuditEntry))][-1] == "ticket.close"


def test_notice_preview_then_publish(wechat: WeChatSim, engine: Engine, demo: None) -> None:
    _login(wechat)
    form = {
        "title": "停水通知",
        "body": "明天上午九点到十二点停水。",
        "scope": "buildings",
        "buildings": ["3"],
    }
    preview = wechat.client.post("/console/notices", data={**form, "step": "preview"})
    assert "将发送到 1 个楼栋群" in preview.text and "停水通知" in preview.text
    assert "发送对象：3栋" in preview.text and "3栋群" in preview.text
    asked = wechat.client.post("/console/notices", data={**form, "step": "send"})  # 发布 without a preview
    assert "请确认" in asked.text and "将发送到 1 个楼栋群" in asked.text
    wider = wechat.client.post("/console/notices", data={**form, "buildings": ["3", "5"], "step": "preview"})
    with Session(engine) as session:
        assert session.exec(select(Notice)).all() == []
    stale = CONFIRMED.search(preview.text).group(1)  # type: ignore[union-attr]
    assert CONFIRMED.search(wider.text).group(1) != stale  # type: ignore[union-attr]
    widened = wechat.client.post(
        "/console/notices", data={**form, "buildings": ["3", "5"], "confirmed": stale}
    )
    assert "请确认" in widened.text and "已发布" not in widened.text  # the wider audience is asked about
    sent = wechat.client.post("/console/notices", data={**form, "confirmed": stale})
    assert "已发布：1 个楼栋群" in sent.text
    later_form = {**form, "title": "活动预告", "publish_at": "2099-01-01T09:00", "recurrence": "weekly:mon"}
    later_form["expires_at"] = "2099-03-01T00:00"
    shown = wechat.client.post("/console/notices", data={**later_form, "step": "send"}).text
    assert "01-01 09:00 发布，之后每周一重复发布，03-01 00:00 到期后不再发布" in shown
    later = wechat.client.post(
        "/console/notices",
        data={**later_form, "confirmed": CONFIRMED.search(shown).group(1)},  # type: ignore[union-attr]
    )
    assert "已安排在 01-01 09:00 发布" in later.text and "待发布" in later.text and "每周一" in later.text
    bad = wechat.client.post(
        "/console/notices", data={**form, "scope": "buildings", "buildings": [], "step": "preview"}
    )
    assert "发送对象有误" in bad.text


def test_residents_csv_in_the_console_names_bad_lines(wechat: WeChatSim, demo: None) -> None:
    _login(wechat)
    bad = "楼栋,单元,房号,面积,姓名,电话\n3,2,502,96,王秀兰,\n9,1,101,80,,\n".encode("gb18030")
    response = wechat.client.post("/console/residents/import", files={"file": ("r.csv", bad, "text/csv")})
    assert response.status_code == 422 and "第3行：楼栋「9」不存在" in response.text
    good = "楼栋,单元,房号,面积,姓名,电话\n3,2,502,96,王秀兰,13900000001\n".encode()
    done = wechat.client.post("/console/residents/import", files={"file": ("r.csv", good, "text/csv")})
    assert "导入完成：1 行" in done.text and "13900000001" in done.text


def test_ledger_entry_and_csv(wechat: WeChatSim, demo: None) -> None:
    _login(wechat)
    added = wechat.client.post(
        "/console/ledger", data={"month": "2026-10", "kind": "income", "item": "停车费", "amount": "1200.50"}
    )
    assert "已记入 2026-10" in added.text and "1200.50" in added.text
    csv = "month,kind,item,amount_yuan,note,building\n2026-10,支出,绿化,abc,,\n".encode()
    bad = wechat.client.post("/console/ledger/import", files={"file": ("l.csv", csv, "text/csv")})
    assert bad.status_code == 422 and "第2行" in bad.text


def test_knowledge_edit_in_the_console(
    wechat: WeChatSim, settings: Settings, tmp_path: Path, demo: None
) -> None:
    _login(wechat)
    assert "要在线修改" in wechat.client.get("/console/knowledge").text
    settings.knowledge.path = str(tmp_path / "kb")
    form = {
        "entry_id": "hgj-locker",
        "create": "1",
        "title": "快递柜在哪里",
        "questions": "丰巢柜在哪\n快递柜位置",
        "answer": "快递柜在小区东门保安亭旁。",
        "source": "物业告知",
    }
    saved = wechat.client.post("/console/knowledge", data=form)
    assert "条目 hgj-locker 已保存" in saved.text and "快递柜在小区东门保安亭旁" in saved.text
    edit = wechat.client.get("/console/knowledge", params={"edit": "hgj-locker"}).text
    assert "修改条目 hgj-locker" in edit


def test_a_grid_worker_sees_their_grid_and_not_the_office_pages(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    mine = _new_ticket(wechat, engine, "demo-resident-li")
    other = _new_ticket(wechat, engine, "demo-resident-wang")
    _login(wechat, _token(engine, clock, "demo-grid-liu", ApiRole.grid_worker))
    listing = wechat.client.get("/console/tickets?state=all").text
    assert mine.code in listing and other.code not in listing
    assert wechat.client.get(f"/console/tickets/{other.id}").status_code == 404
    assert wechat.client.get(f"/console/tickets/{mine.id}").status_code == 200
    assert "本网格" in wechat.client.get("/console/").text
    assert wechat.client.get("/console/notices").status_code == 403
    assert (
        wechat.client.post(
            "/console/residents/import", files={"file": ("r.csv", b"x", "text/csv")}
        ).status_code
        == 403
    )


def test_the_secretary_reads_but_only_the_admin_publishes(
    wechat: WeChatSim, engine: Engine, clock: ManualClock, demo: None
) -> None:
    _login(wechat, _token(engine, clock, "demo-secretary-zhou", ApiRole.secretary))
    page = wechat.client.get("/console/notices").text
    assert "预览发送人数" in page and 'id="send"' not in page
    form = {"title": "t", "body": "b", "scope": "all", "step": "send"}
    assert wechat.client.post("/console/notices", data=form).status_code == 403


def test_a_form_outside_its_bounds_comes_back_with_the_reason_and_writes_nothing(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    from models.activities import Activity
    from models.rewards import Reward

    _login(wechat)
    client, page = wechat.client, "/console/activities"
    came_from = {"Referer": f"http://testserver{page}"}

    def count() -> tuple[int, int]:
        with Session(engine) as session:
            return len(session.exec(select(Activity)).all()), len(session.exec(select(Reward)).all())

    before = count()
    tries = [
        ("/console/activities", {"title": "义诊", "starts_at": "2030-01-01T09:00", "capacity": str(10**12)}),
        ("/console/activities", {"title": "长" * 5000, "starts_at": "2030-01-01T09:00", "capacity": "20"}),
        ("/console/activities", {"title": "义诊", "starts_at": "2030-01-01T09:00", "capacity": "二十"}),
        ("/console/rewards", {"name": "毛巾", "cost": "5", "stock": str(2**63)}),
    ]
    said = []
    for path, form in tries:
        answer = client.post(path, data=form, headers=came_from, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith(page), answer.text
        said.append(client.get(answer.headers["location"]).text)
    assert "「名额」太大了" in said[0] and "「标题」太长了" in said[1] and "「名额」需要是整数" in said[2]
    assert "「库存」太大了" in said[3]
    assert count() == before
    api = client.post("/api/v1/activities", json={"title": "x", "capacity": 10**12})
    assert api.status_code in (401, 403, 422) and api.headers["content-type"].startswith("application/json")
