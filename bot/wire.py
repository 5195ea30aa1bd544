"""Wire formats: guard and parse inbound XML into :class:`Message`, render passive replies."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import xmltodict
from wechatpy import parse_message as parse_mp_message
from wechatpy.work import parse_message as parse_work_message

from bot.errors import BadPayload, BadSignature
from bot.message import Message, clean_text
from bot.replies import Reply, joined_text

_DANGEROUS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
_XML_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EVENT_ALIASES = {"subscribe_scan": "subscribe"}


def guard(body: bytes, *, limit: int) -> None:
    """Refuse oversized bodies and any DTD or entity declaration (XXE, billion laughs)."""
    if len(body) > limit:
        raise BadPayload(f"body of {len(body)} bytes exceeds the {limit}-byte limit")
    if not body.strip():
        raise BadPayload("empty body")
    if _DANGEROUS.search(body):
        raise BadPayload("XML with DOCTYPE or ENTITY declarations is not accepted")


def strip_controls(xml: bytes) -> bytes:
    """Remove control bytes XML 1.0 forbids (a phone keyboard can still produce them)."""
    return _XML_CONTROL.sub(b"", xml)


def parse_envelope(body: bytes) -> dict[str, Any]:
    """The top-level <xml> fields of a (possibly encrypted) request."""
    try:
        document = xmltodict.parse(strip_controls(body), disable_entities=True)
    except Exception as exc:  # expat errors, bad encodings
        raise BadPayload(f"malformed XML: {exc}") from exc
    envelope = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(envelope, dict):
        raise BadPayload("the root element must be <xml> with child elements")
    return envelope


# Fields read from every message: each must be plain text (not repeated, no child elements).
_TEXT_FIELDS = ("ToUserName", "FromUserName", "MsgType", "Content", "Event", "EventKey", "Recognition")
_NUMBERS = {"CreateTime": re.compile(r"\s*[0-9]{1,12}\s*"), "MsgId": re.compile(r"\s*[0-9]{1,20}\s*")}
MAX_EVENT = 64  # WeChat's event names are short; the dedupe key of an event includes it


def _checked(data: dict[str, Any]) -> None:
    """Refuse a message whose fields this bot reads are repeated, nested or not numbers."""
    for name in (*_TEXT_FIELDS, *_NUMBERS):
        value = data.get(name)
        if isinstance(value, list):
            raise BadPayload(f"<{name}> appears more than once")
        if value is not None and not isinstance(value, str | int):
            raise BadPayload(f"<{name}> must be text, not elements")
    if not isinstance(data.get("MsgType"), str):
        raise BadPayload("<MsgType> is missing")
    for name, pattern in _NUMBERS.items():
        value = data.get(name)
        if isinstance(value, str) and value.strip() and not pattern.fullmatch(value):
            raise BadPayload(f"<{name}> is not a number")


def _to_message(channel: str, msg: Any) -> Message:
    data: dict[str, Any] = dict(getattr(msg, "_data", {}))
    kind = msg.type
    text = ""
    event = ""
    if kind == "text":
        text = data.get("Content") or ""
    elif kind == "voice":
        text = data.get("Recognition") or ""
    elif kind == "event":
        event = _EVENT_ALIASES.get(msg.event, msg.event)[:MAX_EVENT]
    elif kind == "shortvideo":
        kind = "video"
    if kind not in {"text", "voice", "image", "video", "location", "link", "event"}:
        kind = "unknown"
    created = str(data.get("CreateTime") or "0").strip()
    msg_id = str(data.get("MsgId") or "").strip()
    return Message(
        channel=channel,
        user_id=clean_text(data.get("FromUserName"))[:64],
        kind=kind,
        text=clean_text(text),
        msg_id="" if kind == "event" or msg_id == "0" else msg_id,
        create_time=int(created),
        event=event,
        event_key=str(data.get("EventKey") or ""),
        media_id=str(data.get("MediaId") or ""),
        picture_url=str(data.get("PicUrl") or ""),
        extra={k: v for k, v in data.items() if isinstance(v, str | int | float) and k != "Encrypt"},
    )


def _as_bytes(xml: str | bytes) -> bytes:
    return strip_controls(xml.encode("utf-8") if isinstance(xml, str) else xml)


def _parse(channel: str, parser: Callable[[bytes], Any], xml: str | bytes) -> Message:
    raw = _as_bytes(xml)
    _checked(parse_envelope(raw))  # refusals that say what is wrong
    try:  # parsing is pure: whatever else fails here is the request's fault too, never a 500
        message = _to_message(channel, parser(raw))
    except Exception as exc:
        raise BadPayload(f"not a {channel} message: {type(exc).__name__}: {exc}"[:300]) from exc
    if not message.user_id:
        raise BadPayload("message has no FromUserName")
    return message


def parse_mp(xml: str | bytes) -> Message:
    """An Official Account message or event."""
    return _parse("mp", parse_mp_message, xml)


def parse_wecom(xml: str | bytes) -> Message:
    """A WeCom app message or event."""
    return _parse("wecom", parse_work_message, xml)


_SECONDS = re.compile(r"[0-9]{1,12}")


def check_fresh(timestamp: str, *, now: float, window: int) -> None:
    """Refuse a request whose signed timestamp is outside the replay window."""
    if not _SECONDS.fullmatch(timestamp or ""):  # 400 digits overflowed the float arithmetic (500)
        raise BadSignature("timestamp is not a number of seconds")
    skew = abs(now - int(timestamp))
    if skew > window:
        raise BadSignature(f"timestamp is {int(skew)} s away from now (replay window)")


def render(replies: list[Reply], *, to_user: str, from_user: str) -> str | None:
    """The passive reply XML, or None when there is nothing to say (answer ``success``)."""
    if not replies:
        return None
    content = joined_text(replies)
    if not content:
        return None
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


# Characters XML 1.0 cannot carry at all, even in CDATA (controls other than tab, LF, CR; lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def cdata(value: str) -> str:
    """``value`` as CDATA that nothing can break out of: 「]]>」 is split across two sections.

    wechatpy's own rendering does not split it, so a resident typing 「]]>」 could end the
    section and inject elements into the reply.
    """
    clean = _NOT_XML.sub("", value)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"
