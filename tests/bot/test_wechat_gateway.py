"""The Official Account webhook as WeChat sees it: verification, modes, every message type, bad input."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from models.inbound import InboundMessage
from models.people import BindingRequest
from tests.conftest import SAMPLES
from tests.support.wechat import WeChatSim, message_xml, signature

MP_SAMPLES = sorted(SAMPLES.glob("mp-*.xml"))


def test_the_sample_payloads_ship_with_the_tests() -> None:
    """A missing fixture is a failure, not 31 silently skipped cases."""
    assert len(MP_SAMPLES) == 31, f"expected the 31 Official Account samples in {SAMPLES}"


def test_url_verification_echoes_only_with_a_valid_signature(wechat: WeChatSim) -> None:
    timestamp, nonce = str(wechat.now()), "12345"
    good = signature(wechat.settings.token, timestamp, nonce)
    params = {"signature": good, "timestamp": timestamp, "nonce": nonce, "echostr": "hello-wechat"}
    assert wechat.client.get("/wechat", params=params).text == "hello-wechat"
    bad = {**params, "signature": good[:-1] + ("0" if good[-1] != "0" else "1")}
    assert wechat.client.get("/wechat", params=bad).status_code == 403


def test_stale_timestamp_is_refused_as_a_replay(wechat: WeChatSim) -> None:
    old = str(wechat.now() - 3600)
    params = {
        "signature": signature(wechat.settings.token, old, "1"),
        "timestamp": old,
        "nonce": "1",
        "echostr": "x",
    }
    assert wechat.client.get("/wechat", params=params).status_code == 403


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
def test_text_is_answered_in_every_mode(wechat: WeChatSim, demo: None, mode: str) -> None:
    reply = wechat.send("demo-resident-wang", "你好", mode=mode)
    assert "王秀兰" in reply and "3栋2单元502" in reply


def test_safe_mode_reply_is_encrypted_and_signed(wechat: WeChatSim, demo: None) -> None:
    xml = message_xml("demo-resident-wang", "text", wechat.now(), {"Content": "你好", "MsgId": 42})
    response = wechat.post(xml, mode="safe")
    assert "<Encrypt>" in response.text and "你好" not in response.text
    assert "王秀兰" in wechat.reply(response)["Content"]  # decrypts with a valid MsgSignature


@pytest.mark.parametrize("sample", MP_SAMPLES, ids=lambda p: p.stem)
def test_every_sample_message_type_is_accepted(wechat: WeChatSim, demo: None, sample: Path) -> None:
    xml = sample.read_text(encoding="utf-8")
    # Replace the sample's create time with now: only the timestamp query parameter is checked.
    response = wechat.post(xml, mode="safe")
    assert response.status_code == 200
    data = wechat.reply(response)
    if "unknown-msgtype" in sample.stem or "unsubscribe" in sample.stem:
        assert data is None  # plain "success"
    if sample.stem in {
        "mp-text",
        "mp-image",
        "mp-voice",
        "mp-voice-recognition",
        "mp-location",
        "mp-event-subscribe",
    }:
        assert data is not None and data["Content"]


def test_voice_recognition_is_treated_as_what_was_said(wechat: WeChatSim, demo: None) -> None:
    assert "王秀兰" in wechat.voice("demo-resident-wang", "你好")


def test_retries_of_one_message_give_one_effect_and_the_same_reply(
    wechat: WeChatSim, demo: None, session: Session
) -> None:
    wechat.event("newcomer-1", "subscribe")
    msg_id = wechat.next_msg_id()
    replies = {wechat.send("newcomer-1", "3栋2单元1502", msg_id=msg_id) for _ in range(3)}
    assert len(replies) == 1  # the same answer each time
    assert "暂时没有" in replies.pop()
    assert session.exec(select(func.count()).select_from(BindingRequest)).one() == 1
    key_count = session.exec(
        select(func.count())
        .select_from(InboundMessage)
        .where(InboundMessage.dedupe_key == f"mp:msg:{msg_id}")
    ).one()
    assert key_count == 1


def test_malformed_xml_is_a_400_and_stores_nothing(wechat: WeChatSim, session: Session) -> None:
    params, _ = wechat.envelope(
        message_xml("u1", "text", wechat.now(), {"Content": "x", "MsgId": 1}), mode="plain"
    )
    response = wechat.client.post("/wechat", params=params, content=b"<xml><ToUserName>broken")
    assert response.status_code == 400
    assert session.exec(select(func.count()).select_from(InboundMessage)).one() == 0


def test_entity_declarations_are_refused(wechat: WeChatSim) -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>&x;</Content><MsgId>9</MsgId></xml>"
    )
    params, _ = wechat.envelope(
        message_xml("b", "text", wechat.now(), {"Content": "x", "MsgId": 9}), mode="plain"
    )
    response = wechat.client.post("/wechat", params=params, content=evil.encode())
    assert response.status_code == 400
    assert "passwd" not in response.text and "root:" not in response.text


def test_oversized_body_is_refused(wechat: WeChatSim) -> None:
    huge = message_xml("u1", "text", wechat.now(), {"Content": "漏" * 40_000, "MsgId": 5})
    assert wechat.post(huge, mode="plain").status_code == 400


def test_wrong_signature_on_post_is_403(wechat: WeChatSim) -> None:
    params, body = wechat.envelope(message_xml("u1", "text", wechat.now(), {"Content": "hi", "MsgId": 7}))
    params["msg_signature"] = "0" * 40
    assert wechat.client.post("/wechat", params=params, content=body).status_code == 403


def test_wrong_aes_key_is_logged_as_one_clear_error(
    wechat: WeChatSim, caplog: pytest.LogCaptureFixture
) -> None:
    from wechatpy.crypto import WeChatCrypto

    other = WeChatCrypto(wechat.settings.token, "A" * 43, wechat.settings.app_id)
    wechat.crypto = other  # WeChat encrypts with a key we were not given
    xml = message_xml("u1", "text", wechat.now(), {"Content": "hi", "MsgId": 8})
    with caplog.at_level(logging.ERROR):
        response = wechat.post(xml)
    assert response.status_code == 400
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "encoding_aes_key" in errors[0].getMessage()


def test_control_characters_in_text_are_removed(wechat: WeChatSim, demo: None, session: Session) -> None:
    reply = wechat.send("demo-resident-wang", "你\x00好\x07\u200b")
    assert "王秀兰" in reply
    stored = session.exec(select(InboundMessage).where(InboundMessage.user_id == "demo-resident-wang")).one()
    assert stored.text == "你好"
