"""Outbound channels behind one interface: ``channel.send(address, outgoing)``.

- ``MpCustomChannel``: Official Account customer-service message (48 h after the person's last
  message), ``POST /cgi-bin/message/custom/send``.
- ``MpTemplateChannel``: template message (any time; template ids from ``[wechat] templates``),
  ``POST /cgi-bin/message/template/send``.
- ``WeComAppChannel``: WeCom app message to a userid, ``POST /cgi-bin/message/send``.
- ``GroupRobotChannel``: a building group chat's robot webhook (text or markdown).
- ``ConsoleChannel``: logs the message (development, when a channel is not configured).

Every request carries the part's idempotency key as ``X-Idempotency-Key`` (WeChat ignores it;
the test fake records it). Errors are raised as ``bot.outbound.errors`` classes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from bot.outbound.errors import AnswerLost, Permanent, Retryable, TokenRejected, check_errcode
from bot.outbound.tokens import MpApp, TokenApp, TokenCache, WeComApp

log = logging.getLogger(__name__)
REAL_WECOM_BASE = "https://qyapi.weixin.qq.com"


@dataclass(frozen=True)
class Outgoing:
    key: str  # idempotency key of this part
    text: str
    kind: str = "notice"
    format: str = "text"  # text | markdown
    payload: dict[str, Any] = field(default_factory=dict)


def post_json(client: httpx.Client, url: str, body: dict[str, Any], *, key: str, what: str) -> dict[str, Any]:
    """POST and map every failure to Retryable / TokenRejected / Permanent; the JSON answer."""
    try:
        response = client.post(url, json=body, headers={"X-Idempotency-Key": key})
    except httpx.ReadTimeout as exc:  # sent whole; the answer did not come in time
        raise AnswerLost(f"{what}: no answer in time ({type(exc).__name__})") from exc
    except httpx.TimeoutException as exc:  # connecting, or the request never went out whole
        raise Retryable(f"{what}: timed out ({type(exc).__name__})") from exc
    except (httpx.ReadError, httpx.RemoteProtocolError) as exc:  # the connection broke before the answer
        raise AnswerLost(f"{what}: {type(exc).__name__}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise Retryable(f"{what}: {type(exc).__name__}: {exc}") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise Retryable(f"{what}: HTTP {response.status_code}")
    if response.status_code >= 400:
        raise Permanent(f"{what}: HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError as exc:
        raise Retryable(f"{what}: HTTP {response.status_code}, not JSON") from exc
    check_errcode(answer, what=what)
    return answer  # type: ignore[no-any-return]


class Channel:
    name: ClassVar[str] = ""
    limit_bytes: ClassVar[int] = 2000  # one message's text, UTF-8

    def limit_for(self, outgoing_format: str) -> int:
        return self.limit_bytes

    def send(self, address: str, outgoing: Outgoing) -> None:
        raise NotImplementedError


class TokenChannel(Channel):
    """A channel calling an API with the app's access token: refresh once on 40001/42001."""

    def __init__(self, *, client: httpx.Client, tokens: TokenCache, app: TokenApp) -> None:
        self.client = client
        self.tokens = tokens
        self.app = app

    def _call(self, path: str, body: dict[str, Any], key: str) -> None:
        base = self.app.base_url  # type: ignore[attr-defined]
        token = self.tokens.get(self.app)
        try:
            post_json(self.client, f"{base}{path}?access_token={token}", body, key=key, what=self.name)
            return
        except TokenRejected:
            token = self.tokens.replace(self.app, rejected=token)
        try:
            post_json(self.client, f"{base}{path}?access_token={token}", body, key=key, what=self.name)
        except TokenRejected as exc:
            raise Retryable(f"{exc} (after one token refresh)") from exc


class MpCustomChannel(TokenChannel):
    name = "mp_custom"

    def send(self, address: str, outgoing: Outgoing) -> None:
        body = {"touser": address, "msgtype": "text", "text": {"content": outgoing.text}}
        self._call("/cgi-bin/message/custom/send", body, outgoing.key)


class MpTemplateChannel(TokenChannel):
    name = "mp_template"
    limit_bytes = 1_000_000  # one template message; WeChat shortens over-long fields itself

    def __init__(
        self, *, client: httpx.Client, tokens: TokenCache, app: MpApp, templates: dict[str, str], field: str
    ) -> None:
        super().__init__(client=client, tokens=tokens, app=app)
        self.templates = templates
        self.field = field

    def template_for(self, kind: str) -> str:
        return self.templates.get(kind) or self.templates.get("default", "")

    def send(self, address: str, outgoing: Outgoing) -> None:
        template_id = self.template_for(outgoing.kind)
        if not template_id:
            raise Permanent(f"no template message configured for kind {outgoing.kind!r} ([wechat] templates)")
        data = outgoing.payload.get("template_data") or {self.field: {"value": outgoing.text}}
        body: dict[str, Any] = {"touser": address, "template_id": template_id, "data": data}
        if outgoing.payload.get("url"):
            body["url"] = outgoing.payload["url"]
        self._call("/cgi-bin/message/template/send", body, outgoing.key)


class WeComAppChannel(TokenChannel):
    name = "wecom_app"
    limit_bytes = 2000

    def __init__(self, *, client: httpx.Client, tokens: TokenCache, app: WeComApp) -> None:
        super().__init__(client=client, tokens=tokens, app=app)
        self.agent_id = int(app.agent_id) if app.agent_id.isdigit() else app.agent_id

    def send(self, address: str, outgoing: Outgoing) -> None:
        msgtype = "markdown" if outgoing.format == "markdown" else "text"
        body = {
            "touser": address,
            "msgtype": msgtype,
            "agentid": self.agent_id,
            msgtype: {"content": outgoing.text},
        }
        self._call("/cgi-bin/message/send", body, outgoing.key)


class GroupRobotChannel(Channel):
    """A group robot: the address is its webhook URL. WeCom allows 20 messages a minute each."""

    name = "group_robot"
    limit_bytes = 2000  # text (WeCom: 2048)
    markdown_limit_bytes = 4000  # markdown (WeCom: 4096)

    def __init__(self, *, client: httpx.Client, wecom_base_url: str) -> None:
        self.client = client
        self.wecom_base_url = wecom_base_url.rstrip("/")

    def limit_for(self, outgoing_format: str) -> int:
        return self.markdown_limit_bytes if outgoing_format == "markdown" else self.limit_bytes

    def url(self, webhook: str) -> str:
        """Webhooks on WeCom's host follow ``[wecom] api_base_url`` (so tests reach a local fake)."""
        if webhook.startswith(REAL_WECOM_BASE) and self.wecom_base_url != REAL_WECOM_BASE:
            return self.wecom_base_url + webhook[len(REAL_WECOM_BASE) :]
        return webhook

    def send(self, address: str, outgoing: Outgoing) -> None:
        msgtype = "markdown" if outgoing.format == "markdown" else "text"
        body = {"msgtype": msgtype, msgtype: {"content": outgoing.text}}
        post_json(self.client, self.url(address), body, key=outgoing.key, what=self.name)


class ConsoleChannel(Channel):
    """Development: the message goes to the log (and to ``sent`` for inspection)."""

    name = "console"
    limit_bytes = 1_000_000

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outgoing]] = []

    def send(self, address: str, outgoing: Outgoing) -> None:
        self.sent.append((address, outgoing))
        log.info("push to %s [%s]: %s", address, outgoing.kind, outgoing.text)


def split_text(text: str, limit_bytes: int) -> list[str]:
    """Parts of at most ``limit_bytes`` UTF-8 bytes, cut at line ends where possible, never inside
    a character; joined they give back ``text``."""
    if len(text.encode()) <= limit_bytes:
        return [text]
    parts: list[str] = []
    current, size = "", 0
    for line in text.splitlines(keepends=True):
        line_size = len(line.encode())
        if size + line_size > limit_bytes and current:
            parts.append(current)
            current, size = "", 0
        while line_size > limit_bytes:  # one line longer than a message: cut by characters
            cut, cut_size = "", 0
            for char in line:
                char_size = len(char.encode())
                if cut_size + char_size > limit_bytes:
                    break
                cut, cut_size = cut + char, cut_size + char_size
            parts.append(cut)
            line, line_size = line[len(cut) :], line_size - cut_size
        current, size = current + line, size + line_size
    if current:
        parts.append(current)
    return parts
