"""Issue 15, finding 7 (and three of 9): hostile input is refused with a reason, never a 500.

Each test replays one input the probe sent, on SQLite and on PostgreSQL when configured:
numbers past 2^31 (PostgreSQL INTEGER) or 2^63 (SQLite), NUL, over-long text, broken CSV,
malformed WeChat XML, oversized bodies. The fuzzers in tests/fuzz look for more of the kind.
"""

from __future__ import annotations

import codecs

import pytest
from sqlmodel import Session

from bot.pipeline import SORRY
from bot.settings import Settings
from models.base import MAX_INT
from models.ledger import LedgerError
from models.ledger_publish import publish_month
from tests.support.wechat import ACCOUNT, WeChatSim, WeComSim, cdata, message_xml

HUGE = [2**31, 2**63, 10**40]
ROSTER_HEADER = "楼栋,单元,房号,面积,姓名,电话\n"
API = "/api/v1"


def _mp(wechat: WeChatSim, fields: str, mode: str = "safe") -> tuple[int, str]:
    """POST a signed (and, but for plain, encrypted) message whose fields after MsgType are ``fields``."""
    xml = (
        f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><FromUserName>{cdata('demo-resident-wang')}"
        f"</FromUserName><MsgType>{cdata('text')}</MsgType>{fields}</xml>"
    )
    response = wechat.post(xml, mode=mode)
    return response.status_code, response.text


# --- the webhooks ---------------------------------------------------------------------------


def test_a_400_digit_timestamp_is_refused_before_the_signature(wechat: WeChatSim) -> None:
    params = {"signature": "x", "msg_signature": "x", "timestamp": "9" * 400, "nonce": "1"}
    for path in ("/wechat", "/wecom"):
        response = wechat.client.post(path, params=params, content=b"<xml></xml>")
        assert response.status_code == 403 and "timestamp" in response.text


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            "<CreateTime>abc</CreateTime><Content>你好</Content><MsgId>1</MsgId>",
            "<CreateTime> is not a number",
        ),
        ("<CreateTime>" + "9" * 400 + "</CreateTime><Content>你好</Content>", "<CreateTime> is not a number"),
        ("<CreateTime>1</CreateTime><Content>你好</Content><MsgId>abc</MsgId>", "<MsgId> is not a number"),
        ("<Content>你好</Content><Content>再见</Content>", "<Content> appears more than once"),
        ("<Content><b>你好</b></Content>", "<Content> must be text"),
        ("<CreateTime><x>1</x></CreateTime><Content>你好</Content>", "<CreateTime> must be text"),
    ],
)
def test_a_signed_message_with_a_malformed_field_is_refused_with_the_reason(
    wechat: WeChatSim, demo: None, fields: str, reason: str, mode: str
) -> None:
    status, text = _mp(wechat, fields, mode=mode)
    assert status == 400 and text.startswith(reason), text


def test_wecom_refuses_a_malformed_message_with_the_reason(wecom: WeComSim, demo: None) -> None:
    xml = message_xml(
        "wx-wangshifu", "text", 1, {"Content": "你好", "MsgId": "abc"}, to=wecom.settings.corp_id
    )
    response = wecom.post_xml(xml)
    assert (response.status_code, response.text) == (400, "<MsgId> is not a number")


@pytest.mark.parametrize("number", [str(n) for n in HUGE])
def test_absurd_numbers_in_chat_are_not_found_not_a_failure(
    wechat: WeChatSim, wecom: WeComSim, demo: None, number: str
) -> None:
    assert f"没有找到议题 P{number}" in wechat.send("demo-resident-wang", f"投票 P{number} 同意")
    assert f"没有找到议题 P{number}" in wechat.send("demo-resident-wang", f"P{number} 结果")
    for command in (f"接单 R{number}", f"完成 R{number}", f"结案 R{number}"):
        answer = wecom.send("wx-wangshifu", command)
        assert answer != SORRY and "没有找到" in answer


# --- integers in the admin API --------------------------------------------------------------


@pytest.mark.parametrize("number", HUGE)
def test_ids_past_the_column_are_refused_in_paths_and_bodies(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], number: int
) -> None:
    client = wechat.client
    for method, path, body in [
        ("GET", f"{API}/tickets/{number}", None),
        ("GET", f"{API}/notices/{number}", None),
        ("GET", f"{API}/operations/{number}", None),
        ("POST", f"{API}/redemptions/{number}/cancel", None),
        ("POST", f"{API}/binding-requests/1/approve", {"room_id": number}),
        ("POST", f"{API}/tickets/1/dispatch", {"person_id": number}),
        ("POST", f"{API}/rewards/1/restock", {"add": number}),
    ]:
        response = client.request(method, path, json=body, headers=admin_headers)
        assert response.status_code == 422, (path, response.text)
        error = response.json()["detail"][0]
        assert error["type"] == "less_than_equal" and error["ctx"] == {"le": MAX_INT}


@pytest.mark.parametrize("number", HUGE)
def test_counts_and_amounts_past_the_column_are_refused(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], number: int
) -> None:
    client = wechat.client
    activity = {"title": "义诊", "starts_at": "2026-12-01T09:00:00+08:00", "capacity": number}
    reward = {"name": "大米", "cost": 10, "stock": number}
    entry = {"month": "2026-11", "kind": "income", "item": "停车费", "amount_fen": number}
    correction = {"openid": "demo-resident-wang", "amount": number, "reason": "补录"}
    for path, body, field in [
        ("/activities", activity, "capacity"),
        ("/rewards", reward, "stock"),
        ("/ledger/entries", {"entries": [entry]}, "amount_fen"),
        ("/points/corrections", correction, "amount"),
    ]:
        response = client.post(API + path, json=body, headers=admin_headers)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"][-1] == field


def test_restocking_never_takes_the_stock_past_the_column(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str]
) -> None:
    client = wechat.client
    created = client.post(
        f"{API}/rewards", json={"name": "大米", "cost": 1, "stock": MAX_INT - 5}, headers=admin_headers
    )
    reward_id = created.json()["id"]
    refused = client.post(f"{API}/rewards/{reward_id}/restock", json={"add": 10}, headers=admin_headers)
    assert refused.status_code == 422 and str(MAX_INT) in refused.json()["detail"]
    stocked = client.post(f"{API}/rewards/{reward_id}/restock", json={"add": 5}, headers=admin_headers)
    assert stocked.status_code == 200 and stocked.json()["stock"] == MAX_INT
    assert (
        client.post(f"{API}/rewards/{reward_id}/restock", json={"add": 1}, headers=admin_headers).status_code
        == 422
    )
    assert f"大米（爱心屋）1积分，剩 {MAX_INT} 份" in wechat.send(
        "demo-resident-wang", "爱心屋有什么"
    )  # not 2.1e9


def test_times_outside_the_planning_range_are_refused(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str]
) -> None:
    for starts_at in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"):
        activity = {"title": "义诊", "starts_at": starts_at, "capacity": 5}
        response = wechat.client.post(f"{API}/activities", json=activity, headers=admin_headers)
        assert response.status_code == 422 and "between 2000-01-01 and 2100-01-01" in response.text


# --- text: NUL, length, size ----------------------------------------------------------------


def test_nul_is_refused_in_bodies_paths_and_queries(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str]
) -> None:
    client = wechat.client
    team = client.post(f"{API}/teams", json={"name": "巡逻队\x00"}, headers=admin_headers)
    assert team.status_code == 422 and "NUL" in team.json()["detail"][0]["msg"]
    notice = {"title": "停水", "body": "明天停水", "audience": {"buildings": ["3\x00"]}}
    assert client.post(f"{API}/notices", json=notice, headers=admin_headers).status_code == 422
    assert client.get(f"{API}/points/demo%00", headers=admin_headers).status_code == 422
    assert client.get(f"{API}/ledger/2026-11/summary?building=3%00", headers=admin_headers).status_code == 422


def test_free_text_is_bounded(wechat: WeChatSim, demo: None, admin_headers: dict[str, str]) -> None:
    client = wechat.client
    long = {
        "title": "义诊",
        "starts_at": "2026-12-01T09:00:00+08:00",
        "capacity": 5,
        "description": "长" * 2001,
    }
    response = client.post(f"{API}/activities", json=long, headers=admin_headers)
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "string_too_long"
    six_mb = {"ticket_id": 1, "note": "x" * 6_000_000}
    too_large = client.post(f"{API}/tickets/1/close", json=six_mb, headers=admin_headers)
    assert too_large.status_code == 413
    assert too_large.json() == {"detail": f"request body too large: at most {1024 * 1024} bytes here"}


def test_uploads_have_their_own_larger_limit(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], settings: Settings
) -> None:
    padded = ROSTER_HEADER + "3,2,502,89.5,王秀兰,\n" + "\n" * settings.admin.max_body_bytes  # blank lines
    response = wechat.client.post(f"{API}/residents/import", content=padded.encode(), headers=admin_headers)
    assert response.status_code == 201 and response.json()["lines"] == 1
    assert settings.admin.max_upload_bytes == 32 * 1024 * 1024
    huge = b"x" * (settings.admin.max_upload_bytes + 1)
    refused = wechat.client.post(f"{API}/residents/import", content=huge, headers=admin_headers)
    assert refused.status_code == 413 and "at most 33554432 bytes" in refused.json()["detail"]


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe\xfa" + b"\x81" * 10, "文件编码无法识别"),
        (ROSTER_HEADER.encode("utf-16-le"), "空字符"),  # UTF-16 without its BOM
        ((ROSTER_HEADER + "3,2,502,89.5,王,\n").replace("王", "王\x00").encode(), "空字符"),
        ((ROSTER_HEADER + '3,2,502,89.5,"' + "王" * 200_000 + '",\n').encode(), "第2行：无法按 CSV 读取"),
        ((ROSTER_HEADER + "3,2,502,89.5," + "王" * 41 + ",\n").encode(), "第2行：「姓名」超过 40 字"),
    ],
)
def test_a_bad_roster_csv_is_refused_line_by_line(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], content: bytes, problem: str
) -> None:
    response = wechat.client.post(f"{API}/residents/import", content=content, headers=admin_headers)
    assert response.status_code == 422, response.text[:300]
    assert problem in response.json()["detail"]["problems"][0]


def test_a_utf16_roster_with_its_bom_is_read(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str]
) -> None:
    content = codecs.BOM_UTF16_LE + (ROSTER_HEADER + "3,2,502,89.5,王秀兰,13800000000\n").encode("utf-16-le")
    response = wechat.client.post(f"{API}/residents/import", content=content, headers=admin_headers)
    assert response.status_code == 201 and response.json()["lines"] == 1


def test_a_bad_ledger_csv_is_refused_with_the_reason(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str]
) -> None:
    header = "month,kind,item,amount_yuan,note,building\n"
    for content, problem in [
        (b"\x81\xff" * 8, "文件编码无法识别"),
        ((header + '2026-11,收入,停车费,1,"' + "x" * 200_000 + '",\n').encode(), "第2行：无法按 CSV 读取"),
        ((header + "2026-11,收入,停车费,99999999999,,\n").encode(), "第2行：金额「99999999999」太大"),
        ((header + "2026-11,收入,停车费,1e999999999,,\n").encode(), "太大"),
        ((header + "2026-11,收入,停车费,1," + "x" * 501 + ",\n").encode(), "备注不超过 500 字"),
    ]:
        response = wechat.client.post(f"{API}/ledger/import", content=content, headers=admin_headers)
        assert response.status_code == 422, response.text[:300]
        assert problem in response.json()["detail"]["problems"][0]


# --- finding 9: ledger month, amount ---------------------------------------------------------


def test_only_a_real_month_can_be_published(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str], session: Session
) -> None:
    for month in ("abc", "2026-13", "0000-01", "٢٠٢٦-11", "2026-11%0A"):
        response = wechat.client.post(f"{API}/ledger/{month}/publish", headers=admin_headers)
        assert response.status_code == 422, month
    with pytest.raises(LedgerError, match="应写成 2026-11"):
        publish_month(session, month="anything", now=wechat.clock.now())


def test_an_over_large_amount_is_called_too_large(
    wechat: WeChatSim, demo: None, admin_headers: dict[str, str]
) -> None:
    from models.ledger import EntryInput, add_entries

    with Session(wechat.client.app.state.engine) as session:  # type: ignore[attr-defined]
        item = EntryInput(month="2026-11", kind="收入", item="停车费", amount_fen=MAX_INT + 1)
        with pytest.raises(LedgerError) as refused:
            add_entries(session, items=[item], created_by="test", now=wechat.clock.now())
    assert refused.value.problems == ["金额太大：每笔不能超过 21,474,836.47元"]
    entry = {"month": "2026-11", "kind": "income", "item": "停车费", "amount_fen": MAX_INT + 1}
    response = wechat.client.post(f"{API}/ledger/entries", json={"entries": [entry]}, headers=admin_headers)
    assert response.status_code == 422 and response.json()["detail"][0]["ctx"] == {"le": MAX_INT}


def test_an_export_link_with_odd_digits_is_not_found(wechat: WeChatSim, demo: None) -> None:
    for token in ("².1.x", "1.².x", "٣.9999999999.x", f"{2**63}.9999999999.x", "1.1.x%00"):
        assert wechat.client.get(f"/me/export/{token}").status_code in (403, 404, 410), token
