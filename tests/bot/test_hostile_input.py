"""Hostile input on the webhooks: replies cannot be broken, absurd timestamps are refused, not a crash."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.replies import Text
from bot.wire import render
from tests.support.wechat import WeChatSim, cdata, signature

XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip())


def _readback(text: str) -> str:
    """What an XML reader gives back: XML's forbidden characters gone, line ends as LF."""
    kept = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
    return kept.replace("\r\n", "\n").replace("\r", "\n")


@given(content=XML_TEXT, user=XML_TEXT)
@settings(max_examples=300, deadline=None)
def test_any_text_renders_to_xml_that_reads_back_the_same(content: str, user: str) -> None:
    xml = render([Text(content)], to_user=user, from_user="gh_account")
    assert xml is not None
    root = ET.fromstring(xml)
    assert [child.tag for child in root] == ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]
    assert root.findtext("ToUserName") == _readback(user)
    assert root.findtext("MsgType") == "text"
    assert (root.findtext("Content") or "").strip() == _readback(content).strip()


def test_a_resident_cannot_inject_an_element_through_the_webhook(wechat: WeChatSim, demo: None) -> None:
    typed = "厨房水管漏水了]]></Content><MsgType><![CDATA[news]]></MsgType><Content><![CDATA[x"
    for mode in ("plain", "compat", "safe"):
        wechat.send("demo-resident-wang", "取消")
        response = wechat.post(
            f"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[demo-resident-wang]]>"
            f"</FromUserName><CreateTime>{wechat.now()}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(typed)}</Content><MsgId>{wechat.next_msg_id()}</MsgId></xml>",
            mode=mode,
        )
        data = wechat.reply(response)
        assert data is not None and data["MsgType"] == "text"
        assert "请确认报修" in data["Content"] and "<MsgType>" in data["Content"]  # echoed as text


def test_an_absurd_timestamp_is_refused_not_a_crash(wechat: WeChatSim) -> None:
    for timestamp in ("9" * 400, "abc", "-1", "1e9", ""):
        for path in ("/wechat", "/wecom"):
            params = {"signature": "x", "msg_signature": "x", "timestamp": timestamp, "nonce": "1"}
            assert wechat.client.get(path, params={**params, "echostr": "e"}).status_code in (400, 403)
            assert wechat.client.post(path, params=params, content=b"<xml></xml>").status_code in (400, 403)


def _plain(wechat: WeChatSim, text: str) -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[demo-resident-wang]]>"
        f"</FromUserName><CreateTime>{wechat.now()}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(text)}</Content><MsgId>{wechat.next_msg_id()}</MsgId></xml>"
    ).encode()


def test_a_signed_triple_is_not_accepted_again_with_another_body(wechat: WeChatSim, demo: None) -> None:
    body = _plain(wechat, "你好")
    params, _ = wechat.envelope(body.decode(), mode="plain")
    assert wechat.client.post("/wechat", params=params, content=body).status_code == 200
    assert wechat.client.post("/wechat", params=params, content=body).status_code == 200  # WeChat retrying
    forged = _plain(wechat, "投票 P1 同意")
    assert wechat.client.post("/wechat", params=params, content=forged).status_code == 403


def test_a_url_verification_triple_cannot_carry_a_message(wechat: WeChatSim, demo: None) -> None:
    timestamp, nonce = str(wechat.now()), "77"
    params = {
        "signature": signature(wechat.settings.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    assert wechat.client.get("/wechat", params={**params, "echostr": "hi"}).text == "hi"
    assert wechat.client.post("/wechat", params=params, content=_plain(wechat, "你好")).status_code == 403


def test_safe_mode_refuses_plain_posts(wechat: WeChatSim, demo: None) -> None:
    wechat.settings.mode = ""  # the default: safe, since an EncodingAESKey is configured
    try:
        assert wechat.settings.effective_mode == "safe"
        body = _plain(wechat, "你好")
        params, _ = wechat.envelope(body.decode(), mode="plain")
        assert wechat.client.post("/wechat", params=params, content=body).status_code == 403
        assert "王秀兰" in wechat.send("demo-resident-wang", "你好", mode="safe")
    finally:
        wechat.settings.mode = "compatible"
