"""Hostile input on the webhooks: replies cannot be broken, absurd timestamps are refused, not a crash."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.replies import Text
from bot.wire import render
from tests.support.wechat import WeChatSim

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


def test_an_absurd_timestamp_is_refused_not_a_crash(wechat: WeChatSim) -> None:
    for timestamp in ("9" * 400, "abc", "-1", "1e9", ""):
        for path in ("/wechat", "/wecom"):
            params = {"signature": "x", "msg_signature": "x", "timestamp": timestamp, "nonce": "1"}
            assert wechat.client.get(path, params={**params, "echostr": "e"}).status_code in (400, 403)
            assert wechat.client.post(path, params=params, content=b"<xml></xml>").status_code in (400, 403)
