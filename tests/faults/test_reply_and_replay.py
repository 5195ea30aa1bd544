"""Findings 4 and 5: what a resident types cannot break a reply, and a signed request cannot be
replayed or downgraded.

``]]>`` typed by a resident used to end the reply's CDATA section early (wechatpy's
``StringField.to_xml`` does not split it), in plain, AES and WeCom replies alike. A signed
(signature, timestamp, nonce) triple, even one from a GET verification URL, was accepted again
with any other body; and plain POSTs were accepted while an EncodingAESKey was configured.
"""

from __future__ import annotations

from tests.support.wechat import WeChatSim, WeComSim, cdata, signature

TYPED = "厨房水管漏水了]]></Content><MsgType><![CDATA[news]]></MsgType><Content><![CDATA[x"


def test_a_resident_cannot_inject_an_element_through_the_webhook(wechat: WeChatSim, demo: None) -> None:
    for mode in ("plain", "compat", "safe"):
        wechat.send("demo-resident-wang", "取消")
        response = wechat.post(
            f"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[demo-resident-wang]]>"
            f"</FromUserName><CreateTime>{wechat.now()}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(TYPED)}</Content><MsgId>{wechat.next_msg_id()}</MsgId></xml>",
            mode=mode,
        )
        data = wechat.reply(response)
        assert data is not None and data["MsgType"] == "text"
        assert "请确认报修" in data["Content"] and "<MsgType>" in data["Content"]  # echoed as text


def test_nor_through_the_wecom_webhook(wecom: WeComSim, demo: None) -> None:
    reply = wecom.send("wx-chenhongmei", TYPED)  # decrypted and parsed as WeCom would
    assert "请确认报修" in reply and TYPED in reply  # echoed as text, whole


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
