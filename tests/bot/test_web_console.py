"""The web console over HTTP: login, pages in Chinese, binding approval from a form."""

from __future__ import annotations

from sqlmodel import Session, select

from models.people import BindingRequest, BindingStatus
from models.residency import Residency, ResidencyStatus
from tests.conftest import ADMIN_TOKEN
from tests.support.console import confirm, console_login, post_login
from tests.support.wechat import WeChatSim


def _login(wechat: WeChatSim, token: str = ADMIN_TOKEN) -> None:
    console_login(wechat.client, token)


def test_pages_need_a_login(wechat: WeChatSim) -> None:
    response = wechat.client.get("/console/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert "访问令牌" in wechat.client.get("/console/login").text
    bad = post_login(wechat.client, "wrong")
    assert bad.status_code == 401 and "令牌不正确" in bad.text


def test_dashboard_and_static_assets_work_offline(wechat: WeChatSim, demo: None) -> None:
    _login(wechat)
    page = wechat.client.get("/console/").text
    assert "阳光里社区" in page and "已绑定房屋" in page and "<svg" in page
    assert "http://" not in page and "https://" not in page  # nothing from the internet
    assert wechat.client.get("/console/static/console.css").status_code == 200


def test_admin_approves_a_binding_in_the_console(wechat: WeChatSim, demo: None, session: Session) -> None:
    wechat.send("family", "绑定")
    wechat.send("family", "3栋2单元1502")
    _login(wechat)
    page = wechat.client.get("/console/bindings").text
    request_id = session.exec(select(BindingRequest.id)).one()
    assert f"#{request_id}" in page and "房屋信息中没有此房号" in page
    asked = wechat.client.post(f"/console/bindings/{request_id}/reject", data={"note": "请核对房号"})
    assert "驳回申请" in asked.text and "3栋2单元1502" in asked.text and "驳回理由：请核对房号" in asked.text
    session.rollback()
    assert session.get(BindingRequest, request_id).status == BindingStatus.pending  # type: ignore[union-attr]
    done = confirm(wechat.client, asked)
    assert "已驳回" in done.text
    session.rollback()
    assert session.get(BindingRequest, request_id).status == BindingStatus.rejected  # type: ignore[union-attr]


def test_admin_verifies_a_claim_in_the_console(wechat: WeChatSim, demo: None, session: Session) -> None:
    wechat.send("family", "我住3栋2单元502")
    _login(wechat)
    page = wechat.client.get("/console/bindings").text
    claim = session.exec(select(Residency).where(Residency.status == ResidencyStatus.claimed)).one()
    assert claim.code in page and "家庭成员" in page and "王秀兰" in page  # the flat's verified owner
    asked = wechat.client.post(f"/console/residencies/{claim.id}/verify")
    assert "登记人会在微信里收到结果（1 人）" in asked.text and "已核实的业主：王秀兰" in asked.text
    done = confirm(wechat.client, asked)
    assert f"{claim.code} 已核实" in done.text
    session.rollback()
    verified = session.get(Residency, claim.id)
    assert verified is not None and verified.status == ResidencyStatus.verified
    assert verified.verified_by_tag.startswith("config-token")


def test_knowledge_preview(wechat: WeChatSim, demo: None) -> None:
    _login(wechat)
    page = wechat.client.get("/console/knowledge", params={"q": "物业可以停水停电催缴物业费吗"}).text
    assert "机器人会这样回答" in page and "第九百四十四条" in page
