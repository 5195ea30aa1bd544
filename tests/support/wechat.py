"""Build inbound Official Account / WeCom requests with wechatpy's own crypto, and read replies."""

from __future__ import annotations

import hashlib
import itertools
import re
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from httpx import Response

    from bot.clock import Clock
    from bot.settings import Settings

ACCOUNT = "gh_hongguanjia"


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def message_xml(
    openid: str, msg_type: str, create_time: int, fields: dict[str, Any], to: str = ACCOUNT
) -> str:
    body = "".join(
        f"<{key}>{cdata(str(value)) if isinstance(value, str) else escape(str(value))}</{key}>"
        for key, value in fields.items()
    )
    return (
        f"<xml><ToUserName>{cdata(to)}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>{body}</xml>"
    )


class WeChatSim:
    """Plays WeChat's servers towards our ``/wechat`` endpoint."""

    def __init__(self, client: TestClient, settings: Settings, clock: Clock) -> None:
        self.client = client
        self.settings = settings.wechat
        self.clock = clock
        self.crypto = WeChatCrypto(self.settings.token, self.settings.encoding_aes_key, self.settings.app_id)
        self._ids = itertools.count(6_000_000_000_000_000_001)
        self._nonces = itertools.count(100_000)

    def next_msg_id(self) -> int:
        return next(self._ids)

    def now(self) -> int:
        return int(self.clock.now().timestamp())

    def envelope(self, xml: str, mode: str = "safe") -> tuple[dict[str, str], bytes]:
        """Query parameters and body for ``xml`` sent in ``mode`` (plain | compat | safe)."""
        timestamp, nonce = str(self.now()), str(next(self._nonces))
        params = {
            "signature": signature(self.settings.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": re.search(r"<FromUserName><!\[CDATA\[(.*?)\]\]>", xml).group(1),  # type: ignore[union-attr]
        }
        if mode == "plain":
            return params, xml.encode()
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        params.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        encrypted = f"<Encrypt>{cdata(sealed['Encrypt'])}</Encrypt>"
        if mode == "compat":
            body = xml.replace("</xml>", encrypted + "</xml>")
        else:
            body = f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName>{encrypted}</xml>"
        return params, body.encode()

    def post(self, xml: str, mode: str = "safe") -> Response:
        params, body = self.envelope(xml, mode)
        return self.client.post("/wechat", params=params, content=body)

    def reply(self, response: Response) -> dict[str, Any] | None:
        """The passive reply as a dict (decrypted and signature-checked), or None for ``success``."""
        assert response.status_code == 200, response.text
        if response.text == "success":
            return None
        data = xmltodict.parse(response.text)["xml"]
        if "Encrypt" in data:
            plain = self.crypto.decrypt_message(
                response.text, data["MsgSignature"], data["TimeStamp"], data["Nonce"]
            )
            data = xmltodict.parse(plain)["xml"]
        return data

    def send(self, openid: str, text: str, mode: str = "safe", msg_id: int | None = None) -> str:
        """Send a text message; return the reply text ("" when the bot answered ``success``)."""
        xml = message_xml(
            openid, "text", self.now(), {"Content": text, "MsgId": msg_id or self.next_msg_id()}
        )
        data = self.reply(self.post(xml, mode))
        return "" if data is None else str(data.get("Content", ""))

    def voice(self, openid: str, recognition: str) -> str:
        fields = {
            "MediaId": "media-1",
            "Format": "amr",
            "Recognition": recognition,
            "MsgId": self.next_msg_id(),
        }
        data = self.reply(self.post(message_xml(openid, "voice", self.now(), fields)))
        return "" if data is None else str(data.get("Content", ""))

    def event(self, openid: str, event: str, **fields: Any) -> str:
        xml = message_xml(openid, "event", self.now(), {"Event": event, **fields})
        data = self.reply(self.post(xml))
        return "" if data is None else str(data.get("Content", ""))


class WeComSim:
    """Plays WeCom's servers towards our ``/wecom`` endpoint (always encrypted)."""

    def __init__(self, client: TestClient, settings: Settings, clock: Clock) -> None:
        self.client = client
        self.settings = settings.wecom
        self.clock = clock
        self.crypto = WorkCrypto(self.settings.token, self.settings.encoding_aes_key, self.settings.corp_id)
        self._ids = itertools.count(7_000_000_000_000_000_001)
        self._nonces = itertools.count(20261122)

    def post_xml(self, xml: str) -> Response:
        """POST ``xml`` encrypted and signed as WeCom does."""
        timestamp, nonce = str(int(self.clock.now().timestamp())), str(next(self._nonces))
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        body = f"<xml><ToUserName>{cdata(self.settings.corp_id)}</ToUserName><Encrypt>{cdata(sealed['Encrypt'])}</Encrypt><AgentID>{cdata(self.settings.agent_id)}</AgentID></xml>"
        params = {"msg_signature": sealed["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
        return self.client.post("/wecom", params=params, content=body.encode())

    def send(self, userid: str, text: str) -> str:
        fields = {"Content": text, "MsgId": next(self._ids), "AgentID": int(self.settings.agent_id)}
        now = int(self.clock.now().timestamp())
        response = self.post_xml(message_xml(userid, "text", now, fields, to=self.settings.corp_id))
        assert response.status_code == 200, response.text
        if response.text == "success":
            return ""
        data = xmltodict.parse(response.text)["xml"]
        plain = self.crypto.decrypt_message(
            response.text, data["MsgSignature"], data["TimeStamp"], data["Nonce"]
        )
        return str(xmltodict.parse(plain)["xml"].get("Content", ""))
