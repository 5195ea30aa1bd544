"""Fuzz ``POST /wechat`` (plain, compatible, safe) and ``POST /wecom`` with hostile XML.

Messages start from the WeChat samples in ``tests/fixtures/wechat`` and are mutated: fields
replaced by huge or negative numbers, odd unicode, 「]]>」, control characters, chat commands
with absurd numbers, nested elements, duplicated or missing fields, unknown message types,
text that is not XML at all. Each is signed (and encrypted) as WeChat would, with wechatpy.

Every answer must be a refusal with a reason (400/403) or a 200 whose body is ``success`` or
a well-formed passive reply (decrypted where encrypted) that is not the "something went
wrong" apology. The budget is small and derandomised for CI; ``HGJ_FUZZ_EXAMPLES=500`` runs
deeper.
"""

from __future__ import annotations

import itertools
import os
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import xmltodict
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.pipeline import SORRY
from tests.conftest import SAMPLES
from tests.support.wechat import ACCOUNT, WeChatSim, WeComSim, cdata, signature

EXAMPLES = int(os.environ.get("HGJ_FUZZ_EXAMPLES", "0")) or 100
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
REPLY_FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]


def _fields(path: Any) -> list[tuple[str, str]]:
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    return [(child.tag, child.text or "") for child in root]


SEEDS = [_fields(path) for path in sorted(SAMPLES.glob("mp-*.xml"))]
OPENIDS = ["demo-resident-wang", "demo-head-chen", "demo-staff-wang", "demo-admin-wu", "stranger-1"]
USERIDS = ["wx-wangshifu", "wx-wuxiaoyan", "wx-zhoushuji", "stranger"]
FIELD_NAMES = [
    "ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "EventKey",
    "Recognition", "MediaId", "PicUrl", "Location_X", "Location_Y", "Scale", "Label", "Format",
    "Title", "Description", "Url", "AgentID", "Ticket", "Latitude", "Longitude", "Precision",
]  # fmt: skip
MSG_TYPES = [
    "text",
    "voice",
    "image",
    "video",
    "shortvideo",
    "location",
    "link",
    "event",
    "file",
    "",
    "x" * 40,
]
EVENTS = ["subscribe", "unsubscribe", "SCAN", "CLICK", "VIEW", "LOCATION", "enter_agent", "", "?"]
HUGE = [
    "9" * 400, str(2**63), str(2**63 - 1), str(2**64), str(2**31), str(2**31 - 1), "-1", "-" + "9" * 30,
    "0", "1e999", "NaN", "0x10", "1.5", "abc", "", " 12 ", "٣٤٥", "１２３",
]  # fmt: skip
COMMANDS = [
    "投票 P{n} 同意", "P{n} 结果", "P{n} 的意见：好", "报名 {n}", "报名第{n}个", "取消报名 {n}",
    "签到 {n}", "取消兑换 {n}", "兑换 {n}", "取消 R{n}", "催单 R{n}", "R{n} 5 5 5 很好",
    "接单 R{n}", "完成 R{n}", "转单 R{n} 给王师傅", "结案 R{n}", "解决了 R{n}", "我住 {n} 栋 {n} 单元 {n}",
    "绑定", "是", "否", "取消", "我要报修", "发布公告：{n}", "我的积分", "排行榜", "你好", "{n}",
]  # fmt: skip
ODD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # lone surrogates cannot be sent as UTF-8 at all
    max_size=80,
)
COMMAND = st.builds(str.format, st.sampled_from(COMMANDS), n=st.sampled_from([*HUGE[:8], "1", "1024"]))
HOSTILE = st.one_of(
    st.sampled_from(HUGE),
    ODD,
    st.builds("{}]]>{}".format, ODD, ODD),
    COMMAND,
    st.sampled_from(MSG_TYPES + EVENTS + OPENIDS + USERIDS),
    st.integers(min_value=1000, max_value=20000).map(lambda n: "长" * n),
    st.sampled_from(
        ["\x00", "\x01\x02", "\ufffe", "\u202e", "\u200b", "🏠" * 3, "&amp;", "&#0;", "<b>x</b>"]
    ),
)


@st.composite
def _value_xml(draw: st.DrawFn, value: str) -> str:
    """A value as CDATA (mostly), as escaped text, raw (may break the XML), or nested elements."""
    how = draw(st.sampled_from(["cdata"] * 12 + ["escaped", "escaped", "raw", "nested", "broken-cdata"]))
    if how == "cdata":
        return cdata(value)
    if how == "escaped":
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if how == "nested":
        inner = draw(st.sampled_from([*FIELD_NAMES, "a", "xml"]))
        return f"<{inner}>{cdata(value)}</{inner}>" * draw(st.integers(1, 2))
    if how == "broken-cdata":
        return f"<![CDATA[{value}]]>"  # a 「]]>」 inside ends the section early
    return value


@st.composite
def messages(draw: st.DrawFn, users: list[str]) -> str:
    """A WeChat message as XML text: mostly well-formed text messages saying hostile things, the
    rest samples of every kind with fields replaced, repeated, dropped or added."""
    if draw(st.sampled_from(["text", "text", "text", "sample"])) == "text":
        fields = [("ToUserName", ACCOUNT), ("FromUserName", ""), ("CreateTime", "1700000000")]
        fields += [
            ("MsgType", "text"),
            (
                "Content",
                draw(st.one_of(COMMAND, COMMAND, HOSTILE)),
            ),  # what residents type, at its most absurd
            ("MsgId", str(draw(st.integers(1, 2**63)))),
        ]
    else:
        fields = list(draw(st.sampled_from(SEEDS)))
    user = draw(st.one_of(st.sampled_from(users), st.integers(0, 10**6).map("fuzz-{}".format)))
    fields = [(k, user if k == "FromUserName" else v) for k, v in fields]  # a stranger has no open form
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["replace", "replace", "replace", "duplicate", "drop", "add"]))
        index = draw(st.integers(0, max(len(fields) - 1, 0)))
        if action == "add" or not fields:
            fields.insert(index, (draw(st.sampled_from(FIELD_NAMES)), draw(HOSTILE)))
        elif action == "replace":
            fields[index] = (fields[index][0], draw(HOSTILE))
        elif action == "duplicate":
            fields.insert(index, (fields[index][0], draw(HOSTILE)))
        else:
            del fields[index]
    body = "".join(f"<{name}>{draw(_value_xml(value))}</{name}>" for name, value in fields)
    text = f"<xml>{body}</xml>"
    return draw(
        st.sampled_from([text] * 20 + [text[: len(text) // 2], "not xml", "<xml/>", f"<x>{body}</x>"])
    )


def _check_plain(xml: str) -> None:
    root = ET.fromstring(xml)  # well-formed, whatever the resident typed
    assert root.tag == "xml"
    assert [child.tag for child in root] == REPLY_FIELDS, xml
    assert root.findtext("MsgType") == "text"
    assert root.findtext("Content") != SORRY, "the message failed inside the bot"


def _check(response: Response, crypto: Any) -> None:
    assert response.status_code in (200, 400, 403), (response.status_code, response.text)
    if response.status_code != 200:
        assert response.text.strip(), "a refusal says why"
        return
    if response.text == "success":
        return
    if "<Encrypt>" not in response.text:
        _check_plain(response.text)
        return
    envelope = xmltodict.parse(response.text)["xml"]
    plain = crypto.decrypt_message(
        response.text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    _check_plain(plain)


NONCES = itertools.count(500_000)


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
def test_wechat_answers_any_message_without_failing(wechat: WeChatSim, demo: None, mode: str) -> None:
    @given(xml=messages(OPENIDS))
    @FUZZ
    def fuzz(xml: str) -> None:
        timestamp, nonce = str(wechat.now()), str(next(NONCES))
        params = {"signature": signature(wechat.settings.token, timestamp, nonce), "timestamp": timestamp}
        params |= {"nonce": nonce, "openid": "demo-resident-wang"}
        body = xml.encode("utf-8")
        if mode != "plain":
            sealed = xmltodict.parse(wechat.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
            params |= {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
            encrypted = f"<Encrypt>{cdata(sealed['Encrypt'])}</Encrypt>"
            if mode == "safe":
                body = f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName>{encrypted}</xml>".encode()
            elif "</xml>" in xml:
                body = xml.replace("</xml>", encrypted + "</xml>", 1).encode("utf-8")
            else:
                body = f"<xml>{encrypted}{xml}</xml>".encode()
        _check(wechat.client.post("/wechat", params=params, content=body), wechat.crypto)

    fuzz()


def test_wecom_answers_any_message_without_failing(wecom: WeComSim, demo: None) -> None:
    agent = wecom.settings.agent_id

    @given(xml=messages(USERIDS))
    @FUZZ
    def fuzz(xml: str) -> None:
        timestamp, nonce = str(int(wecom.clock.now().timestamp())), str(next(NONCES))
        sealed = xmltodict.parse(wecom.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        body = (
            f"<xml><ToUserName>{cdata(wecom.settings.corp_id)}</ToUserName>"
            f"<Encrypt>{cdata(sealed['Encrypt'])}</Encrypt><AgentID>{cdata(agent)}</AgentID></xml>"
        )
        params = {"msg_signature": sealed["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
        _check(wecom.client.post("/wecom", params=params, content=body.encode()), wecom.crypto)

    fuzz()


def test_absurd_commands_never_fail_inside(wechat: WeChatSim, wecom: WeComSim, demo: None) -> None:
    """Well-formed messages saying what residents and staff type, with absurd numbers in it."""
    residents = st.one_of(st.sampled_from(OPENIDS), st.integers(0, 10**6).map("fuzz-{}".format))

    @given(text=COMMAND, resident=residents, staff=st.sampled_from(USERIDS), wecom_turn=st.booleans())
    @FUZZ
    def fuzz(text: str, resident: str, staff: str, wecom_turn: bool) -> None:
        answer = wecom.send(staff, text) if wecom_turn else wechat.send(resident, text)
        assert answer != SORRY, f"{text!r} failed inside the bot"

    fuzz()


QUERY = st.dictionaries(
    st.sampled_from(
        ["signature", "msg_signature", "timestamp", "nonce", "echostr", "encrypt_type", "openid"]
    ),
    st.one_of(st.sampled_from(HUGE), ODD),
)


def test_any_query_string_is_refused_with_a_reason(app_client: TestClient) -> None:
    @given(params=QUERY, path=st.sampled_from(["/wechat", "/wecom"]), post=st.booleans(), body=HOSTILE)
    @FUZZ
    def fuzz(params: dict[str, str], path: str, post: bool, body: str) -> None:
        if post:
            response = app_client.post(path, params=params, content=body.encode("utf-8"))
        else:
            response = app_client.get(path, params=params)
        assert response.status_code in (400, 403), (response.status_code, response.text)
        assert response.text.strip()

    fuzz()
