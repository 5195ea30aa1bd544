"""Confirm before reach over HTTP: nothing goes out before the person saw how many and who,
and the audience is what was ticked, never wider."""

from __future__ import annotations

import json
import re

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.notices import Notice, NoticeStatus
from models.outbox import OutboxMessage
from tests.bot.test_web_console import _login
from tests.support.console import confirm
from tests.support.wechat import WeChatSim

CONFIRMED = re.compile(r'name="confirmed" value="([0-9a-f]+)"')
FIELD_ERRORS = re.compile(r'<script type="application/json" id="field-errors">(.*?)</script>')
FORM = {"title": "停水通知", "body": "明天上午九点到十二点停水。", "category": "停水停电"}


def _next_to_fields(page: str) -> dict[str, str]:
    found = FIELD_ERRORS.search(page)
    assert found is not None, "no field errors on the page"
    return json.loads(found.group(1))["fields"]  # type: ignore[no-any-return]


def _notices(engine: Engine) -> list[Notice]:
    with Session(engine) as session:
        return list(session.exec(select(Notice)).all())


def test_ticked_buildings_under_everyone_are_a_question_not_a_wider_send(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    _login(wechat)
    ticked = {**FORM, "scope": "all", "buildings": ["3"], "step": "send"}
    page = wechat.client.post("/console/notices", data=ticked).text
    assert "勾选了楼栋，发送对象却是「全体居民」" in page and 'id="send"' not in page
    assert _next_to_fields(page)["scope"].startswith("勾选了楼栋")  # placed next to the 发送对象 group
    empty = wechat.client.post("/console/notices", data={**FORM, "scope": "grids", "step": "preview"}).text
    assert "发送对象有误：请至少勾选一个网格" in empty
    assert _notices(engine) == []


def test_a_unit_notice_with_expiry_and_recurrence_is_asked_then_stored_as_asked(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    _login(wechat)
    form = {
        **FORM,
        "scope": "units",
        "units": ["3-2"],
        "publish_at": "2099-01-04T08:00",
        "recurrence": "monthly:4",
        "expires_at": "2099-06-30T00:00",
    }
    asked = wechat.client.post("/console/notices", data={**form, "step": "send"}).text
    assert "发送对象：3栋2单元" in asked and "楼栋群：不发" in asked and "之后每月4日重复发布" in asked
    code = CONFIRMED.search(asked).group(1)  # type: ignore[union-attr]
    done = wechat.client.post("/console/notices", data={**form, "confirmed": code})
    assert "已安排在 01-04 08:00 发布" in done.text
    (notice,) = _notices(engine)
    assert notice.audience == {"units": ["3-2"]} and notice.recurrence == "monthly:4"
    assert notice.expires_at is not None and notice.status == NoticeStatus.scheduled


def test_an_expiry_before_publication_is_said_next_to_the_field(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    _login(wechat)
    form = {**FORM, "scope": "all", "publish_at": "2099-01-04T08:00", "expires_at": "2099-01-01T00:00"}
    asked = wechat.client.post("/console/notices", data={**form, "step": "send"}).text
    code = CONFIRMED.search(asked).group(1)  # type: ignore[union-attr]
    refused = wechat.client.post("/console/notices", data={**form, "confirmed": code}).text
    assert "没有发布：到期时间要晚于发布时间。" in refused
    assert _next_to_fields(refused) == {"expires_at": "到期时间要晚于发布时间"}
    assert _notices(engine) == []


def test_withdrawing_a_scheduled_notice_says_whom_it_would_have_reached(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    _login(wechat)
    form = {**FORM, "scope": "buildings", "buildings": ["3"], "publish_at": "2099-01-04T08:00"}
    asked = wechat.client.post("/console/notices", data={**form, "step": "send"}).text
    wechat.client.post("/console/notices", data={**form, "confirmed": CONFIRMED.search(asked).group(1)})  # type: ignore[union-attr]
    (notice,) = _notices(engine)
    question = wechat.client.post(f"/console/notices/{notice.id}/cancel")
    assert "撤销公告「停水通知」" in question.text and "原定 01-04 08:00 发给：3栋" in question.text
    assert "1 个楼栋群、4 位居民" in question.text  # 王秀兰, 刘桂芳, 陈红梅 and 高建华
    assert _notices(engine)[0].status == NoticeStatus.scheduled
    assert "已撤销这条待发布的公告" in confirm(wechat.client, question).text
    assert _notices(engine)[0].status == NoticeStatus.cancelled


def test_the_ledger_is_pushed_only_after_naming_the_groups(
    wechat: WeChatSim, engine: Engine, demo: None
) -> None:
    _login(wechat)
    wechat.client.post(
        "/console/ledger", data={"month": "2026-10", "kind": "income", "item": "停车费", "amount": "100"}
    )
    question = wechat.client.post("/console/ledger/2026-10/publish")
    assert "把 2026-10 的收支推送到 4 个楼栋群？" in question.text and "1栋、2栋、3栋、5栋" in question.text
    with Session(engine) as session:
        assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ledger")).all() == []
    assert "已推送到 4 个楼栋群" in confirm(wechat.client, question).text
